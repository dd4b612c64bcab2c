"""Adaptive Cards (version 1.5) as pure functions from domain objects to JSON-ready dicts."""
