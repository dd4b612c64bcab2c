"""``ehcp-bot``, the administrator's command line: one module per command group (each has
``register``), the console chat, the demo data set and the CSV importer."""
