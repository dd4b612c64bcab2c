"""The app's two icons, drawn here: a clipboard with a tick — a checklist being completed.

``python -m bot.app_package.icons manifest/`` redraws ``color.png`` (192x192, NHS blue) and
``outline.png`` (32x32, white on transparent).
"""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path

from bot.app_package.png import RGBA, encode

BLUE: RGBA = (0, 94, 184, 255)
WHITE: RGBA = (255, 255, 255, 255)
GREEN: RGBA = (0, 150, 57, 255)
LINE: RGBA = (174, 183, 189, 255)
CLEAR: RGBA = (0, 0, 0, 0)


def _canvas(size: int, fill: RGBA) -> list[list[RGBA]]:
    return [[fill] * size for _ in range(size)]


def _rect(
    img: list[list[RGBA]],
    *,
    x0: float,
    y0: float,
    x1: float,
    y1: float,
    colour: RGBA,
    radius: float = 0,
) -> None:
    for y in range(int(y0), math.ceil(y1)):
        for x in range(int(x0), math.ceil(x1)):
            cx = min(max(x + 0.5, x0 + radius), x1 - radius)
            cy = min(max(y + 0.5, y0 + radius), y1 - radius)
            if math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= radius or radius == 0:
                img[y][x] = colour


def _stroke(
    img: list[list[RGBA]], points: list[tuple[float, float]], width: float, colour: RGBA
) -> None:
    size = len(img)
    for y in range(size):
        for x in range(size):
            px, py = x + 0.5, y + 0.5
            for (ax, ay), (bx, by) in itertools.pairwise(points):
                dx, dy = bx - ax, by - ay
                t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
                if math.hypot(px - (ax + t * dx), py - (ay + t * dy)) <= width / 2:
                    img[y][x] = colour
                    break


def colour_icon() -> bytes:
    """192x192: a white clipboard on NHS blue, ruled lines, a green tick."""
    img = _canvas(192, BLUE)
    _rect(img, x0=44, y0=34, x1=148, y1=162, colour=WHITE, radius=10)
    _rect(img, x0=74, y0=24, x1=118, y1=46, colour=WHITE, radius=8)
    _rect(img, x0=80, y0=30, x1=112, y1=40, colour=BLUE, radius=4)
    for top in (62, 84, 106):
        _rect(img, x0=64, y0=top, x1=128, y1=top + 8, colour=LINE, radius=3)
    _stroke(img, [(66, 132), (86, 150), (128, 112)], 14, GREEN)
    return encode(img)


def outline_icon() -> bytes:
    """32x32: the same clipboard and tick in white lines on transparent."""
    img = _canvas(32, CLEAR)
    _stroke(img, [(8, 6), (24, 6), (24, 28), (8, 28), (8, 6)], 2, WHITE)
    _rect(img, x0=12, y0=3, x1=20, y1=8, colour=WHITE, radius=1)
    _stroke(img, [(11, 18), (15, 22), (21, 13)], 2.4, WHITE)
    return encode(img)


def main(folder: str) -> None:
    """Write both icons into ``folder``."""
    out = Path(folder)
    (out / "color.png").write_bytes(colour_icon())
    (out / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "manifest")
