"""Benchmarks: the cost of a turn against the bare framework, and the product at national scale.

Run with ``make bench`` (or ``.venv/bin/python -m benchmarks``); see the README's Benchmarks part.
"""
