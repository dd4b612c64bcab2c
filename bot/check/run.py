"""Every check, in the order an administrator fixes things: settings, time, database, package."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.check.database import database_findings
from bot.check.findings import Finding
from bot.check.package import package_findings
from bot.check.settings import (
    credential_findings,
    metrics_findings,
    public_url_findings,
    read_settings,
    schedule_findings,
)
from bot.clock import SystemClock
from bot.storage.database import database_target
from dialogs.ports import Clock


def all_findings(
    raw: Mapping[str, str],
    *,
    db: str | None = None,
    package: Path | None = None,
    clock: Clock | None = None,
) -> list[Finding]:
    """The findings for settings ``raw`` (by field name, as text), the database ``db`` (else
    the configured one) and, if given, the app package ``package``; on ``clock``, else the
    system clock in the configured zone."""
    settings, found = read_settings(raw)
    found += credential_findings(raw)
    found += public_url_findings(raw, settings)
    found += metrics_findings(raw)
    found += schedule_findings(settings)
    target = database_target(db or settings.db)
    found += database_findings(target, clock=clock or SystemClock(settings.timezone))
    if package is not None:
        found += package_findings(package, app_id=raw.get("app_id"), public_url=settings.public_url)
    return found
