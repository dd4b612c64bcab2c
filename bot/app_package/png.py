"""Just enough PNG to draw the app's icons and to check someone else's (8-bit, not interlaced)."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # greyscale, RGB, greyscale + alpha, RGBA
RGBA = tuple[int, int, int, int]


class PngError(ValueError):
    """Not a PNG this reader understands; the message says what is wrong."""


@dataclass(frozen=True)
class Image:
    """Pixels as RGBA rows."""

    width: int
    height: int
    has_alpha: bool
    pixels: list[list[RGBA]]


def encode(pixels: list[list[RGBA]]) -> bytes:
    """An RGBA PNG of ``pixels`` (rows of (r, g, b, a))."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        _SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decode(data: bytes) -> Image:
    """Read a PNG; ``PngError`` for anything but 8-bit, non-interlaced, non-palette images."""
    if not data.startswith(_SIGNATURE):
        raise PngError("not a PNG file")
    chunks = _chunks(data[len(_SIGNATURE) :])
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][:13])
    if depth != 8 or colour not in _CHANNELS or interlace:
        raise PngError(
            f"unsupported PNG (bit depth {depth}, colour type {colour}, interlace {interlace})"
        )
    channels = _CHANNELS[colour]
    rows = _unfilter(zlib.decompress(chunks.get(b"IDAT", b"")), width * channels, height, channels)
    pixels = [[_rgba(row[x * channels : (x + 1) * channels]) for x in range(width)] for row in rows]
    return Image(width, height, colour in (4, 6) or b"tRNS" in chunks, pixels)


def size(data: bytes) -> tuple[int, int]:
    """(width, height) from the header alone."""
    if not data.startswith(_SIGNATURE) or data[12:16] != b"IHDR":
        raise PngError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _chunks(body: bytes) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    offset = 0
    while offset + 8 <= len(body):
        length, kind = struct.unpack(">I4s", body[offset : offset + 8])
        found[kind] = found.get(kind, b"") + body[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return found


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + _predict(kind, left, up, corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return rows


def _predict(kind: int, left: int, up: int, corner: int) -> int:
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    estimate = left + up - corner
    distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
    return (left, up, corner)[distances.index(min(distances))]


def _rgba(values: bytes) -> RGBA:
    if len(values) == 4:
        return values[0], values[1], values[2], values[3]
    if len(values) == 3:
        return values[0], values[1], values[2], 255
    if len(values) == 2:
        return values[0], values[0], values[0], values[1]
    return values[0], values[0], values[0], 255
