"""dialogs: the botbuilder conversations of the EHCP assistant and the Adaptive Cards they show."""
