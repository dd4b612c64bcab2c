"""``ehcp-bot manifest build`` and ``ehcp-bot manifest validate``: the Teams app package."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import Commands


def register(commands: Commands, _db: argparse.ArgumentParser) -> None:
    """Add ``manifest build`` and ``manifest validate``."""
    manifest = commands.add_parser(
        "manifest",
        help="build or check the Teams app package",
        description="Build the Teams app package (manifest.json and icons in a zip), or check one.",
    )
    sub = manifest.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = sub.add_parser(
        "build",
        help="build the app package for a bot",
        description="Build the Teams app package for your bot registration, validated against "
        "the manifest schema and Teams' own rules.",
    )
    build.add_argument("--bot-id", required=True, metavar="GUID", help="the Azure Bot's app id")
    build.add_argument(
        "--host", required=True, help="the bot's public host name, e.g. ehcp.example.nhs.uk"
    )
    build.add_argument(
        "--version", default="1.0.0", help="the app's version (semver, default 1.0.0)"
    )
    build.add_argument(
        "--out", type=Path, default=Path("ehcp-assistant.zip"), help="the zip to write"
    )
    build.add_argument("--developer-name", default="Your NHS organisation", help="shown in Teams")
    build.add_argument("--website-url", help="default: https://HOST/")
    build.add_argument("--privacy-url", help="default: https://HOST/privacy (served by the bot)")
    build.add_argument("--terms-url", help="default: https://HOST/terms (served by the bot)")
    build.set_defaults(handler=_build)
    check = sub.add_parser(
        "validate",
        help="check an app package",
        description="Check an app package someone built: schema, ids, limits and icons.",
    )
    check.add_argument("package", type=Path, help="the zip")
    check.set_defaults(handler=_validate)


def _build(args: argparse.Namespace) -> int:
    from bot.app_package.manifest import PackageOptions, build_package

    options = PackageOptions(
        bot_id=args.bot_id,
        host=args.host,
        version=args.version,
        developer_name=args.developer_name,
        website_url=args.website_url,
        privacy_url=args.privacy_url,
        terms_url=args.terms_url,
    )
    args.out.write_bytes(build_package(options))
    print(f"Built {args.out} for bot {args.bot_id} at {args.host} (version {args.version}).")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from bot.app_package.manifest import validate_package

    manifest = validate_package(args.package.read_bytes())
    print(
        f"{args.package} is valid: {manifest['name']['short']} {manifest['version']}, "
        f"bot {manifest['bots'][0]['botId']}."
    )
    return 0
