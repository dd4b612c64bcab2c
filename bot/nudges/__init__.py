"""Nudges: the scheduler that runs the sweep on working days, the sweep, and the paced sender."""
