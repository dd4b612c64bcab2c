"""``python -m bot.cli``: the same as ``ehcp-bot``."""

import sys

from bot.cli.main import main

sys.exit(main())
