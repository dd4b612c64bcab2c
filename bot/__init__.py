"""bot: the Teams transport, storage, scheduler, exports and command line of the EHCP assistant."""
