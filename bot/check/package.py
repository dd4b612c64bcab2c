"""An app package someone built: valid, for this bot, and pointing at its public address."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.app_package.manifest import PackageError, validate_package
from bot.check.findings import Finding, ok, problem, warning
from ehcp_rules import counted


def package_findings(path: Path, *, app_id: str | None, public_url: str | None) -> list[Finding]:
    """Whether the zip at ``path`` is valid and built for ``app_id`` at ``public_url``'s host."""
    try:
        manifest = validate_package(path.read_bytes())
    except PackageError as error:
        return [
            problem(
                "app package",
                f"{path} is not valid ({counted(len(error.problems), 'problem')}; "
                f"ehcp-bot manifest validate {path} lists them)",
            )
        ]
    except OSError as error:
        return [problem("app package", f"{path} cannot be read: {error.strerror}")]
    bot_id = str(manifest["bots"][0]["botId"]).lower()
    if app_id and bot_id != app_id.lower():
        return [
            problem(
                "app package",
                f"{path} was built for bot {bot_id}, not this one ({app_id}): Teams would send "
                "its messages to that bot (ehcp-bot manifest build --bot-id ...)",
            )
        ]
    return [
        *_domain_findings(path, manifest.get("validDomains") or [], public_url),
        _ok(path, bot_id),
    ]


def _domain_findings(path: Path, domains: list[str], public_url: str | None) -> list[Finding]:
    host = urlsplit(public_url).netloc if public_url else None
    if host and host not in domains:
        return [
            warning(
                "app package",
                f"{path} names {', '.join(domains) or 'no domain'}, not {host} (EHCP_PUBLIC_URL): "
                "build it with --host " + host,
            )
        ]
    return []


def _ok(path: Path, bot_id: str) -> Finding:
    return ok("app package", f"{path}: valid, for bot {bot_id}")
