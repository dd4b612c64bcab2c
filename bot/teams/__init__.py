"""The Teams host: the app and adapter factories, the framework fixes, the connector transport,
the activity handler, turn middleware and the channel directory."""
