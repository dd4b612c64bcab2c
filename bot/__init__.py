"""bot: the Teams transport, storage, scheduler, exports and command line of the EHCP assistant."""

__version__ = "1.0.0"
"""The assistant's version: the one place it is set (``pyproject.toml`` reads it from here for
the wheel; ``ehcp-bot --version`` shows it; ``CHANGELOG.md`` has a part for each)."""
