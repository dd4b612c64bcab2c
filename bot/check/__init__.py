"""``ehcp-bot check``: what would stop the bot working in Teams, found before going live.

Each check gives findings (``findings``): the settings and how they fit together (``settings``),
the database and what is in it (``database``), and an app package someone built (``package``).
Nothing here writes to the database or shows the value of a secret.
"""
