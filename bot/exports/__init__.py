"""Exports: the self-assessment in the tool's own layout, and the summary for the SEND dashboard."""
