"""Files the bot hands out: the summary and assessment exports, the chart, and download links."""
