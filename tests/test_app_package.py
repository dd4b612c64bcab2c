"""The Teams app package: built, opened and validated; broken ones fail naming field and limit."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest

from bot.app_package.files import manifest_file
from bot.app_package.manifest import (
    PackageError,
    PackageOptions,
    build_package,
    command_lists,
    validate_package,
)
from bot.app_package.png import RGBA, decode, encode
from bot.cli.main import main
from dialogs.commands import Command, parse_command
from dialogs.messages import HELP_COMMANDS

BOT = "11111111-2222-4333-8444-555555555555"
OPTIONS = PackageOptions(bot_id=BOT, host="ehcp.example.nhs.uk", version="1.2.3")


def _package() -> bytes:
    return build_package(OPTIONS)


def _with(manifest_change: object = None, **files: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_package()))
    manifest = json.loads(source.read("manifest.json"))
    if callable(manifest_change):
        manifest_change(manifest)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("manifest.json", json.dumps(manifest))
        for name in ("color.png", "outline.png"):
            package.writestr(name, files.get(name.removesuffix(".png"), source.read(name)))
    return out.getvalue()


def test_the_built_package_has_the_manifest_and_icons_at_its_root_and_validates() -> None:
    package = zipfile.ZipFile(io.BytesIO(_package()))

    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
    manifest = validate_package(_package())
    assert manifest["manifestVersion"] == "1.19"
    assert (manifest["id"], manifest["bots"][0]["botId"]) == (BOT, BOT)
    assert manifest["version"] == "1.2.3"
    assert manifest["validDomains"] == ["ehcp.example.nhs.uk"]
    assert manifest["developer"]["privacyUrl"] == "https://ehcp.example.nhs.uk/privacy"
    assert manifest["bots"][0]["scopes"] == ["personal", "team", "groupChat"]


def test_the_manifest_is_valid_against_the_official_schema(shared_dir: Path) -> None:
    official = json.loads((shared_dir / "schemas" / "teams-manifest-1.19.schema.json").read_text())
    shipped = json.loads(manifest_file("schema", "teams-manifest-1.19.schema.json").read_text())
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(_package())).read("manifest.json"))

    assert shipped == official
    jsonschema.Draft4Validator(official).validate(manifest)


def test_every_menu_command_is_one_the_bot_understands() -> None:
    titles = {c["title"] for lst in command_lists() for c in lst["commands"]}

    assert titles == {title for title, _, scopes in HELP_COMMANDS if scopes}
    assert all(parse_command(title) is not Command.UNKNOWN for title in titles)
    assert [lst["scopes"] for lst in command_lists()] == [["personal"], ["team"], ["groupChat"]]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda m: m["bots"][0].pop("botId"), "bots[0].botId: must be the bot's app id, a GUID"),
        (
            lambda m: m["bots"][0]["commandLists"][0]["commands"][0].update(
                title="start the whole self-assessment now please"
            ),
            "bots[0].commandLists[0].commands[0].title: 42 characters, the limit is 32",
        ),
        (lambda m: m.update(id="my-app"), "id: must be a GUID"),
        (lambda m: m.update(version="v1"), "version: must be semver"),
        (
            lambda m: m["developer"].update(privacyUrl="http://x.example/p"),
            "developer.privacyUrl: must be an https URL",
        ),
        (lambda m: m.update(validDomains=["https://ehcp.example.nhs.uk"]), "validDomains[0]"),
        (lambda m: m.update(manifestVersion="1.7"), "manifestVersion: '1.7' is not supported"),
        (lambda m: m["name"].update(short="x" * 31), "name.short:"),
    ],
)
def test_a_broken_manifest_fails_naming_the_field_and_limit(change: object, problem: str) -> None:
    with pytest.raises(PackageError) as caught:
        validate_package(_with(change))

    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_a_wrong_icon_size_is_named() -> None:
    big_outline = encode([[(255, 255, 255, 0)] * 48 for _ in range(48)])

    with pytest.raises(PackageError) as caught:
        validate_package(_with(outline=big_outline))

    assert caught.value.problems == ["icons.outline: 48x48 pixels, must be 32x32"]


@pytest.mark.parametrize(
    ("pixels", "problem"),
    [
        ([[(255, 255, 255, 255)] * 32 for _ in range(32)], "must have a transparent background"),
        ([[(0, 94, 184, 255)] + [(0, 0, 0, 0)] * 31 for _ in range(32)], "must be white only"),
    ],
)
def test_an_outline_icon_must_be_white_on_transparent(
    pixels: list[list[RGBA]], problem: str
) -> None:
    with pytest.raises(PackageError) as caught:
        validate_package(_with(outline=encode(pixels)))

    (only,) = caught.value.problems
    assert only.startswith(f"icons.outline: {problem}")


def test_a_file_that_is_not_a_zip_is_named() -> None:
    with pytest.raises(PackageError, match="not a zip archive"):
        validate_package(b"PK? no")


def test_the_shipped_icons_are_the_right_sizes_and_kinds() -> None:
    colour = decode(manifest_file("color.png").read_bytes())
    outline = decode(manifest_file("outline.png").read_bytes())

    assert (colour.width, colour.height, outline.width, outline.height) == (192, 192, 32, 32)
    assert all(p[3] == 255 for row in colour.pixels for p in row)
    assert {p[:3] for row in outline.pixels for p in row if p[3]} == {(255, 255, 255)}


def _filtered_png(rows: list[list[tuple[int, int, int, int]]], kinds: list[int]) -> bytes:
    """A PNG whose rows use the given filter types (1 Sub, 2 Up, 3 Average, 4 Paeth)."""
    import struct
    import zlib

    def predict(kind: int, a: int, b: int, c: int) -> int:
        if kind == 1:
            return a
        if kind == 2:
            return b
        if kind == 3:
            return (a + b) // 2
        p = a + b - c
        return min((abs(p - a), a), (abs(p - b), b), (abs(p - c), c), key=lambda t: t[0])[1]

    raw, previous = b"", bytes(len(rows[0]) * 4)
    for kind, row in zip(kinds, rows, strict=True):
        line = bytes(v for px in row for v in px)
        out = bytes(
            (
                line[i]
                - predict(
                    kind,
                    line[i - 4] if i >= 4 else 0,
                    previous[i],
                    previous[i - 4] if i >= 4 else 0,
                )
            )
            & 0xFF
            for i in range(len(line))
        )
        raw += bytes([kind]) + out
        previous = line
    header = struct.pack(">IIBBBBB", len(rows[0]), len(rows), 8, 6, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_the_png_reader_undoes_every_filter() -> None:
    rows = [
        [
            ((x * 37 + y * 11) % 256, (x * 5) % 256, (y * 90) % 256, (x + y) % 2 * 255)
            for x in range(6)
        ]
        for y in range(4)
    ]

    image = decode(_filtered_png(rows, [1, 2, 3, 4]))

    assert image.pixels == rows


def test_the_command_line_builds_and_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "app.zip"

    assert (
        main(
            [
                "manifest",
                "build",
                "--bot-id",
                BOT,
                "--host",
                "ehcp.example.nhs.uk",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert main(["manifest", "validate", str(out)]) == 0
    assert (
        main(
            [
                "manifest",
                "build",
                "--bot-id",
                "nope",
                "--host",
                "h.example",
                "--out",
                str(tmp_path / "bad.zip"),
            ]
        )
        == 2
    )

    captured = capsys.readouterr()
    assert "is valid: EHCP assistant 1.0.0" in captured.out
    assert "bots[0].botId: must be the bot's app id, a GUID" in captured.err
    assert not (tmp_path / "bad.zip").exists()
