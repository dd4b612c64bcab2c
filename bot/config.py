"""Configuration from the environment (and an optional ``.env``), validated at start-up.

Azure's names are accepted (``MicrosoftAppId``, ``MicrosoftAppPassword``,
``MicrosoftAppTenantId``, ``MicrosoftAppType``); botbuilder is handed the attribute names it reads
(``APP_ID``, ``APP_PASSWORD``, ``APP_TYPE``, ``APP_TENANTID``). Settings are never logged whole.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.storage.url import PostgresUrl, is_postgres_url

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")

ENVIRONMENT_NAMES = {
    "app_id": "MicrosoftAppId",
    "app_password": "MicrosoftAppPassword",
    "app_tenant_id": "MicrosoftAppTenantId",
    "app_type": "MicrosoftAppType",
    "db": "EHCP_DB",
    "allowed_tenants": "EHCP_ALLOWED_TENANTS",
    "timezone": "EHCP_TIMEZONE",
    "nudge_time": "EHCP_NUDGE_TIME",
    "assessment_refresh_months": "EHCP_ASSESSMENT_REFRESH_MONTHS",
    "public_url": "EHCP_PUBLIC_URL",
    "connector_timeout": "EHCP_CONNECTOR_TIMEOUT",
    "sweep_lease": "EHCP_SWEEP_LEASE",
    "framework_fixes": "EHCP_FRAMEWORK_FIXES",
    "metrics_token": "EHCP_METRICS_TOKEN",
    "log_format": "EHCP_LOG_FORMAT",
}


def _seconds_in(value: object, allowed: Callable[[float], bool], bounds: str) -> float:
    """A setting in seconds, within its ``bounds`` (said in words)."""
    try:
        seconds = float(str(value))
    except ValueError:
        raise ValueError(f"must be a number of seconds, {bounds}") from None
    if not allowed(seconds):
        raise ValueError(f"must be a number of seconds, {bounds}")
    return seconds


class SettingsError(Exception):
    """A setting has a bad value; the message names the environment variable."""


@dataclass(frozen=True)
class FrameworkConfig:
    """The attribute names botbuilder reads; the password passes straight through as text."""

    APP_ID: str | None
    APP_PASSWORD: str | None
    APP_TYPE: str
    APP_TENANTID: str | None


class Settings(BaseModel):
    """Everything the bot is configured with."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    app_id: str | None = None
    app_password: SecretStr | None = None
    app_tenant_id: str | None = None
    app_type: Literal["SingleTenant", "MultiTenant", "UserAssignedMSI"] = "SingleTenant"
    db: Path | PostgresUrl | None = None  # a SQLite file, or a PostgreSQL database's URL
    allowed_tenants: tuple[str, ...] = Field(default=())
    timezone: str = "Europe/London"
    nudge_time: time = time(9, 0)
    assessment_refresh_months: int = Field(default=12, ge=1, le=60)
    public_url: str | None = None
    connector_timeout: float = 15.0
    sweep_lease: float = 300.0
    framework_fixes: bool = True
    metrics_token: SecretStr | None = None
    log_format: Literal["text", "json"] = "text"

    @field_validator("metrics_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (for example: openssl rand -hex 32)")
        return value

    @field_validator("db", mode="before")
    @classmethod
    def _database(cls, value: object) -> object:
        """A ``postgresql://`` URL names a PostgreSQL database (its password kept unshown)."""
        if isinstance(value, str) and is_postgres_url(value):
            return PostgresUrl(value)
        return value

    @field_validator("connector_timeout", mode="before")
    @classmethod
    def _seconds(cls, value: object) -> object:
        return _seconds_in(value, lambda s: 0 < s <= 120, "above 0 and at most 120")

    @field_validator("sweep_lease", mode="before")
    @classmethod
    def _lease(cls, value: object) -> object:
        return _seconds_in(value, lambda s: 1 <= s <= 3600, "at least 1 and at most 3600")

    @field_validator("framework_fixes", mode="before")
    @classmethod
    def _on_off(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() not in ("on", "off"):
            raise ValueError("must be on or off")
        return value

    @field_validator("public_url")
    @classmethod
    def _public(cls, value: str | None) -> str | None:
        if value is None:
            return None
        local = re.match(r"^http://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(/|$)", value)
        if not (value.startswith("https://") or local) or any(c.isspace() for c in value):
            raise ValueError(
                "must be the bot's public https address, such as https://ehcp.example.nhs.uk"
            )
        return value.rstrip("/")

    @field_validator("app_id", "app_tenant_id")
    @classmethod
    def _guid(cls, value: str | None) -> str | None:
        if value and not _GUID.match(value):
            raise ValueError("must be a GUID such as 3f2b1c4e-8a9d-4e7f-9b1a-2c3d4e5f6a7b")
        return value.lower() if value else None

    @field_validator("allowed_tenants", mode="before")
    @classmethod
    def _tenant_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip().lower() for part in value.split(",") if part.strip())
        for tenant in value if isinstance(value, tuple | list) else ():
            if not _GUID.match(tenant):
                raise ValueError(f"{tenant!r} is not a tenant id (a GUID)")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone such as Europe/London") from None
        return value

    @model_validator(mode="after")
    def _credentials_complete(self) -> Settings:
        missing = missing_credentials(
            self.app_id,
            self.app_type,
            self.app_tenant_id,
            has_password=bool(self.app_password),
            allowed_tenants=self.allowed_tenants,
        )
        if missing:
            raise ValueError(missing[0])
        return self

    @property
    def authenticated(self) -> bool:
        """True when requests are verified (an app id is configured)."""
        return bool(self.app_id)

    @property
    def tenants(self) -> tuple[str, ...]:
        """The tenants served: the allow-list, else the bot's own tenant, else any."""
        if self.allowed_tenants:
            return self.allowed_tenants
        return (self.app_tenant_id,) if self.app_tenant_id else ()

    def framework_config(self) -> FrameworkConfig:
        """What botbuilder's authentication is built from."""
        if not self.app_id:
            return FrameworkConfig(
                APP_ID=None, APP_PASSWORD=None, APP_TYPE="MultiTenant", APP_TENANTID=None
            )
        password = self.app_password.get_secret_value() if self.app_password else None
        return FrameworkConfig(
            APP_ID=self.app_id,
            APP_PASSWORD=password,
            APP_TYPE=self.app_type,
            APP_TENANTID=self.app_tenant_id,
        )

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str] | None = None, *, env_file: Path | None = Path(".env")
    ) -> Settings:
        """Read settings: the environment wins over ``.env``; ``SettingsError`` names a bad one."""
        try:
            return cls.model_validate(environment_values(environ, env_file=env_file))
        except ValidationError as error:
            raise SettingsError(describe_errors(error)[0]) from None


def environment_values(
    environ: Mapping[str, str] | None = None, *, env_file: Path | None = Path(".env")
) -> dict[str, str]:
    """The settings given, by field name, as text: the environment wins over ``.env``."""
    values = read_env_file(env_file) if env_file else {}
    values |= dict(os.environ if environ is None else environ)
    return {field: values[name] for field, name in ENVIRONMENT_NAMES.items() if values.get(name)}


def missing_credentials(
    app_id: str | None,
    app_type: str,
    tenant_id: str | None,
    *,
    has_password: bool,
    allowed_tenants: Collection[str] | None,
) -> list[str]:
    """What an app id needs beside it: its tenant (single-tenant), a secret (unless it signs in
    with a managed identity), and the tenants it serves (multi-tenant). Nothing without one."""
    missing = []
    if app_id and app_type in ("SingleTenant", "UserAssignedMSI") and not tenant_id:
        kind = "single-tenant bot" if app_type == "SingleTenant" else "managed identity"
        missing.append(f"MicrosoftAppTenantId is needed for a {kind}")
    if app_id and app_type != "UserAssignedMSI" and not has_password:
        missing.append(
            "MicrosoftAppPassword is needed with MicrosoftAppId (or MicrosoftAppType="
            "UserAssignedMSI, signing in with a managed identity)"
        )
    if app_id and app_type == "MultiTenant" and not allowed_tenants:
        missing.append(
            "EHCP_ALLOWED_TENANTS: a MultiTenant bot would serve every tenant; name the "
            "tenants (comma-separated tenant ids) it serves"
        )
    return missing


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a ``.env`` file (comments and blank lines ignored)."""
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and "=" in stripped:
            key, _, value = stripped.removeprefix("export ").partition("=")
            values[key.strip()] = value.strip().strip("'\"")
    return values


def describe_errors(error: ValidationError) -> list[str]:
    """Each problem as ``VARIABLE: what is wrong`` (never the value of a secret)."""
    described = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        message = problem["msg"].removeprefix("Value error, ")
        if not field and message.split(":")[0] in ENVIRONMENT_NAMES.values():
            described.append(message)  # a check across settings that names the one to change
            continue
        described.append(f"{ENVIRONMENT_NAMES.get(field, 'configuration')}: {message}")
    return described
