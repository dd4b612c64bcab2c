"""The ``ehcp-bot`` subcommands, one module per group; each module has ``register``."""
