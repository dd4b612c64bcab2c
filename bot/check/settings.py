"""The settings, read as ``serve`` reads them, and whether they fit together for Teams.

Every bad value is listed, not only the first; a secret is named, never shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

from pydantic import ValidationError

from bot.check.findings import Finding, ok, problem, warning
from bot.config import Settings, describe_errors, missing_credentials

CREDENTIALS = ("app_id", "app_password", "app_tenant_id", "app_type")
ENGLAND = "Europe/London"
WORKING_HOURS = (time(7, 0), time(18, 0))
"""When a nudge posted into a channel is read the same day."""


def read_settings(raw: Mapping[str, str]) -> tuple[Settings, list[Finding]]:
    """The settings (defaults in place of bad values and of the credentials when they do not
    fit together), and a problem for each bad value."""
    try:
        return Settings.model_validate(raw), []
    except ValidationError as error:
        errors = error.errors()
        bad = {str(e["loc"][0]) for e in errors if e["loc"]}
        usable = {k: v for k, v in raw.items() if k not in bad and k not in CREDENTIALS}
        # the credentials' own rule (no loc) is reported by credential_findings, in full
        found = [
            problem("settings", text)
            for e, text in zip(errors, describe_errors(error), strict=True)
            if e["loc"]
        ]
        return Settings.model_validate(usable), found


def credential_findings(raw: Mapping[str, str]) -> list[Finding]:
    """How the bot signs in, and whom it serves."""
    app_id = raw.get("app_id")
    if not app_id:
        return [
            problem(
                "settings",
                "MicrosoftAppId is not set: the bot would run unauthenticated, on this machine "
                "only, and Teams could not reach it",
            )
        ]
    app_type = raw.get("app_type", "SingleTenant")
    found = [
        problem("settings", text)
        for text in missing_credentials(
            app_id,
            app_type,
            raw.get("app_tenant_id"),
            has_password=bool(raw.get("app_password")),
            allowed_tenants=raw.get("allowed_tenants"),
        )
    ]
    signs_in = "a managed identity" if app_type == "UserAssignedMSI" else "a client secret"
    return found or [ok("settings", f"MicrosoftAppId {app_id} ({app_type}), with {signs_in}")]


def public_url_findings(raw: Mapping[str, str], settings: Settings) -> list[Finding]:
    """The public https address Teams fetches charts and exports from."""
    if not raw.get("public_url"):
        return [
            problem(
                "settings",
                "EHCP_PUBLIC_URL is not set: the bot's public https address (the messaging "
                "endpoint without /api/messages); serve refuses to start without it once "
                "MicrosoftAppId is set",
            )
        ]
    url = settings.public_url
    if url is None:
        return []  # a bad value, already reported by read_settings
    if not url.startswith("https://"):
        return [
            problem(
                "settings",
                f"EHCP_PUBLIC_URL {url} is not https: Teams reaches the bot, and fetches its "
                "charts and exports, only over https",
            )
        ]
    return [ok("settings", f"public address {url}")]


def metrics_findings(raw: Mapping[str, str]) -> list[Finding]:
    """Whether an operator can watch the bot: ``/metrics`` needs a token once it runs for Teams."""
    if not raw.get("app_id"):
        return []
    if not raw.get("metrics_token"):
        return [
            warning(
                "signals",
                "EHCP_METRICS_TOKEN is not set: /metrics is not served, so nothing watches "
                "failed turns, Teams' 429s or failed sweeps (/healthz and /readyz still answer)",
            )
        ]
    return [ok("signals", "/metrics served to a scraper with EHCP_METRICS_TOKEN")]


def schedule_findings(settings: Settings) -> list[Finding]:
    """The time zone deadlines are counted in, and when nudges are posted."""
    found = []
    if settings.timezone != ENGLAND:
        found.append(
            warning(
                "time",
                f"EHCP_TIMEZONE is {settings.timezone}: the statutory deadlines of England are "
                f"counted in {ENGLAND}",
            )
        )
    start, end = WORKING_HOURS
    if not start <= settings.nudge_time <= end:
        found.append(
            warning(
                "time",
                f"EHCP_NUDGE_TIME is {settings.nudge_time:%H:%M}: nudges would be posted outside "
                f"working hours ({start:%H:%M} to {end:%H:%M})",
            )
        )
    when = f"nudges posted on working days at {settings.nudge_time:%H:%M} ({settings.timezone})"
    return found or [ok("time", when)]
