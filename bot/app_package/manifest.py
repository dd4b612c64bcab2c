"""Build the Teams app package (manifest.json and the two icons at the zip's root) and check one.

Checks: the official schema for the manifest's version (a copy of Microsoft's, shipped in
``manifest/schema`` and installed with the bot), then Teams' own rules the schema cannot
express — GUID ids, semver, https developer URLs, command titles and descriptions within their
limits, and the icons' sizes and transparency. Every problem names the field and the limit.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import jsonschema

from bot.app_package.files import manifest_file
from bot.app_package.png import PngError, decode, size
from dialogs.messages import HELP_COMMANDS

PACKAGE_TIME = (1980, 1, 1, 0, 0, 0)
"""The time stamped on every file in the package (the earliest a zip can hold)."""
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
_HOST = re.compile(r"^(?!https?://)[A-Za-z0-9.-]+(:\d+)?$")
ICON_SIZES = {"color": (192, 192), "outline": (32, 32)}
LIMITS = {"command title": 32, "command description": 128, "commands in a list": 10}


class PackageError(Exception):
    """The package is not valid; ``problems`` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "the app package is not valid:\n" + "\n".join(f"  - {p}" for p in problems)
        )


@dataclass(frozen=True)
class PackageOptions:
    """What varies between deployments."""

    bot_id: str
    host: str
    version: str = "1.0.0"
    app_id: str | None = None
    developer_name: str = "Your NHS organisation"
    website_url: str | None = None
    privacy_url: str | None = None
    terms_url: str | None = None


def command_lists() -> list[dict[str, Any]]:
    """The bot's command menus per scope, from the same list the help card shows."""
    lists = []
    for scope in ("personal", "team", "groupChat"):
        commands = [
            {"title": title, "description": purpose.rstrip(".")}
            for title, purpose, scopes in HELP_COMMANDS
            if scope in scopes
        ]
        lists.append({"scopes": [scope], "commands": commands})
    return lists


def render_manifest(options: PackageOptions) -> dict[str, Any]:
    """The manifest for ``options``, from ``manifest/manifest.template.json``."""
    template = manifest_file("manifest.template.json").read_text(encoding="utf-8")
    base = f"https://{options.host}"
    values = {
        "version": options.version,
        "app_id": options.app_id or options.bot_id,
        "bot_id": options.bot_id,
        "host": options.host,
        "developer_name": options.developer_name,
        "website_url": options.website_url or f"{base}/",
        "privacy_url": options.privacy_url or f"{base}/privacy",
        "terms_url": options.terms_url or f"{base}/terms",
    }
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", json.dumps(value)[1:-1])
    manifest: dict[str, Any] = json.loads(template)
    manifest["bots"][0]["commandLists"] = command_lists()
    return manifest


def build_package(options: PackageOptions) -> bytes:
    """The zip, validated; ``PackageError`` lists every problem."""
    files = {
        "manifest.json": json.dumps(render_manifest(options), indent=2).encode("utf-8"),
        "color.png": manifest_file("color.png").read_bytes(),
        "outline.png": manifest_file("outline.png").read_bytes(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in files.items():
            # a fixed time, not the clock's: the same inputs always make the same package
            entry = zipfile.ZipInfo(name, date_time=PACKAGE_TIME)
            package.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    validate_package(buffer.getvalue())
    return buffer.getvalue()


def validate_package(data: bytes) -> dict[str, Any]:
    """Check a zip someone built; returns its manifest, or raises ``PackageError``."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PackageError(["the file is not a zip archive"]) from None
    names = set(package.namelist())
    if "manifest.json" not in names:
        raise PackageError(["manifest.json: missing from the zip's root"])
    try:
        manifest = json.loads(package.read("manifest.json"))
    except ValueError as error:
        raise PackageError([f"manifest.json: not valid JSON ({error})"]) from None
    problems = schema_problems(manifest) + rule_problems(manifest)
    problems += _icon_problems(manifest, package, names)
    if problems:
        raise PackageError(problems)
    return dict(manifest)


def schema_problems(manifest: dict[str, Any]) -> list[str]:
    """What the official schema of the manifest's version says is wrong."""
    version = str(manifest.get("manifestVersion", ""))
    path = manifest_file("schema", f"teams-manifest-{version}.schema.json")
    if not path.is_file():
        return [f"manifestVersion: {version!r} is not supported (use 1.19)"]
    validator = jsonschema.Draft4Validator(json.loads(path.read_text(encoding="utf-8")))
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(top level)'}: {error.message}"
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    ]


def rule_problems(manifest: dict[str, Any]) -> list[str]:
    """Teams' rules the schema does not enforce."""
    problems = []
    if not _GUID.match(str(manifest.get("id", ""))):
        problems.append("id: must be a GUID")
    if not _SEMVER.match(str(manifest.get("version", ""))):
        problems.append("version: must be semver such as 1.0.0")
    for key, url in (manifest.get("developer") or {}).items():
        if key.endswith("Url") and not str(url).startswith("https://"):
            problems.append(f"developer.{key}: must be an https URL")
    for index, domain in enumerate(manifest.get("validDomains") or []):
        if not _HOST.match(str(domain)):
            problems.append(
                f"validDomains[{index}]: {domain!r} must be a host name, without https://"
            )
    for index, bot in enumerate(manifest.get("bots") or []):
        problems += _bot_problems(index, bot)
    if not manifest.get("bots"):
        problems.append("bots: the app needs its bot (bots[0].botId)")
    return problems


def _bot_problems(index: int, bot: dict[str, Any]) -> list[str]:
    problems = []
    if not _GUID.match(str(bot.get("botId", ""))):
        problems.append(f"bots[{index}].botId: must be the bot's app id, a GUID")
    for list_index, command_list in enumerate(bot.get("commandLists") or []):
        where = f"bots[{index}].commandLists[{list_index}]"
        commands = command_list.get("commands") or []
        if len(commands) > LIMITS["commands in a list"]:
            problems.append(f"{where}.commands: at most {LIMITS['commands in a list']} commands")
        for number, command in enumerate(commands):
            for field, limit in (
                ("title", "command title"),
                ("description", "command description"),
            ):
                text = str(command.get(field, ""))
                if len(text) > LIMITS[limit]:
                    problems.append(
                        f"{where}.commands[{number}].{field}: {len(text)} characters, "
                        f"the limit is {LIMITS[limit]}"
                    )
    return problems


def _icon_problems(
    manifest: dict[str, Any], package: zipfile.ZipFile, names: set[str]
) -> list[str]:
    problems = []
    for kind, expected in ICON_SIZES.items():
        name = str((manifest.get("icons") or {}).get(kind, ""))
        if name not in names:
            problems.append(f"icons.{kind}: {name or 'the file'} is not in the zip")
            continue
        data = package.read(name)
        try:
            found = size(data)
        except PngError as error:
            problems.append(f"icons.{kind}: {error}")
            continue
        if found != expected:
            problems.append(
                f"icons.{kind}: {found[0]}x{found[1]} pixels, must be {expected[0]}x{expected[1]}"
            )
        elif kind == "outline":
            problems += _outline_problems(data)
    return problems


def _outline_problems(data: bytes) -> list[str]:
    try:
        image = decode(data)
    except PngError as error:
        return [f"icons.outline: {error}"]
    if not image.has_alpha:
        return ["icons.outline: must have a transparent background (no alpha channel)"]
    pixels = [p for row in image.pixels for p in row]
    if not any(p[3] == 0 for p in pixels):
        return ["icons.outline: must have a transparent background"]
    if any(p[3] > 0 and p[:3] != (255, 255, 255) for p in pixels):
        return ["icons.outline: must be white only (every visible pixel white)"]
    return []
