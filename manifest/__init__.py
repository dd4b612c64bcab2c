"""The Teams app package's own files: the manifest template, the two icons, a copy of Microsoft's
manifest schema, and the privacy and terms pages the bot serves.

Installed as the package ``ehcp_manifest`` (``pyproject.toml`` maps this folder to that name), so
the bot finds these files through ``importlib.resources`` in a checkout and in an installed wheel
alike (``bot/app_package/files.py``).
"""
