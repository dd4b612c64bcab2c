"""The summary's chart as a PNG: 6-week compliance month by month for each service, and its RAG.

A grid rather than lines: one row per service (all services first, then the riskiest), one column
per month, each cell shaded darker the higher the share on time and labelled with the figure, so
it reads without colour; the last column is the service's latest self-assessment RAG, in words.
"""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont

from ehcp_rules import Rag, Summary, counted, is_are

MAX_ROWS = 25
_NAME_WIDTH = 250
_CELL = (54, 26)
_RAG_WIDTH = 84
_TOP = 64
_MARGIN = 16
_TEXT = (36, 36, 36)
_GRID = (225, 225, 225)
_EMPTY = (243, 243, 243)
_LIGHT, _DARK = (222, 235, 247), (8, 69, 148)
_RAG = {Rag.RED: (196, 49, 75), Rag.AMBER: (255, 185, 0), Rag.GREEN: (35, 123, 75)}
_RAG_TEXT = {Rag.RED: (255, 255, 255), Rag.AMBER: (36, 36, 36), Rag.GREEN: (255, 255, 255)}


def compliance_chart(summary: Summary, rows: int = MAX_ROWS) -> bytes:
    """The chart for ``summary``: all services, then up to ``rows`` services riskiest first."""
    services = summary.by_risk()[:rows]
    months = summary.trend_months
    width = _MARGIN * 2 + _NAME_WIDTH + _CELL[0] * len(months) + _RAG_WIDTH
    height = _TOP + _CELL[1] * (len(services) + 1) + 40
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    bold, small = ImageFont.load_default(size=15), ImageFont.load_default(size=12)
    draw.text(
        (_MARGIN, 10),
        "6-week compliance by month (% of advice on time) and latest RAG, "
        f"to {summary.today:%d %b %Y}",
        fill=_TEXT,
        font=bold,
    )
    grid_left = _MARGIN + _NAME_WIDTH
    for column, month in enumerate(months):
        draw.text(
            (grid_left + column * _CELL[0] + _CELL[0] / 2, _TOP - 8),
            f"{month:%b}\n{month:%y}",
            fill=_TEXT,
            font=small,
            anchor="md",
            align="center",
        )
    draw.text(
        (grid_left + len(months) * _CELL[0] + _RAG_WIDTH / 2, _TOP - 8),
        "RAG",
        fill=_TEXT,
        font=small,
        anchor="md",
    )
    table: list[tuple[str, tuple[float | None, ...], Rag | None, bool]] = [
        ("All services", summary.overall_trend, None, True)
    ]
    table += [(s.name, s.trend, s.latest_rag, False) for s in services]
    for row, (name, trend, rag, overall) in enumerate(table):
        top = _TOP + row * _CELL[1]
        draw.text(
            (_MARGIN, top + _CELL[1] / 2),
            _fit(draw, name, small, _NAME_WIDTH - 8),
            fill=_TEXT,
            font=bold if overall else small,
            anchor="lm",
        )
        for column in range(len(months)):
            value = trend[column] if column < len(trend) else None
            _cell(draw, (grid_left + column * _CELL[0], top), value, small)
        if not overall:
            _rag(draw, (grid_left + len(months) * _CELL[0] + 6, top), rag, small)
    legend_top = _TOP + _CELL[1] * len(table) + 12
    draw.text(
        (_MARGIN, legend_top),
        "Darker is better. A dash means nothing fell due that month. "
        + (
            f"{_more(len(summary.services) - len(services))} in the export."
            if len(summary.services) > len(services)
            else ""
        ),
        fill=_TEXT,
        font=small,
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _cell(
    draw: ImageDraw.ImageDraw,
    at: tuple[float, float],
    value: float | None,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    x, y = at
    box = (x + 1, y + 1, x + _CELL[0] - 1, y + _CELL[1] - 1)
    if value is None:
        draw.rectangle(box, fill=_EMPTY, outline=_GRID)
        label, colour = "-", (110, 110, 110)
    else:
        share = value / 100
        fill = tuple(round(a + (b - a) * share) for a, b in zip(_LIGHT, _DARK, strict=True))
        draw.rectangle(box, fill=(fill[0], fill[1], fill[2]), outline=_GRID)
        label, colour = f"{value:.0f}", (255, 255, 255) if share > 0.55 else _TEXT
    draw.text((x + _CELL[0] / 2, y + _CELL[1] / 2), label, fill=colour, font=font, anchor="mm")


def _rag(
    draw: ImageDraw.ImageDraw,
    at: tuple[float, float],
    rag: Rag | None,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    x, y = at
    box = (x, y + 3, x + _RAG_WIDTH - 12, y + _CELL[1] - 3)
    if rag is None:
        draw.rounded_rectangle(box, radius=4, outline=(150, 150, 150))
        label, colour = "None", _TEXT
    else:
        draw.rounded_rectangle(box, radius=4, fill=_RAG[rag])
        label, colour = rag.label, _RAG_TEXT[rag]
    middle = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    draw.text(middle, label, fill=colour, font=font, anchor="mm")


def _fit(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
    width: int,
) -> str:
    """``text``, shortened with an ellipsis to fit ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _more(count: int) -> str:
    """``1 more service is``, ``3 more services are``."""
    return f"{counted(count, 'more service')} {is_are(count)}"
