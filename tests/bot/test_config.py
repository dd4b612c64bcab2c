"""Settings from the environment and .env, validated at start-up with the variable named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings, SettingsError

APP = "11111111-2222-4333-8444-555555555555"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def test_nothing_configured_means_unauthenticated_local_mode(tmp_path: Path) -> None:
    settings = Settings.from_environment({}, env_file=tmp_path / ".env")

    assert not settings.authenticated
    assert settings.framework_config().APP_TYPE == "MultiTenant"
    assert settings.framework_config().APP_ID is None
    assert settings.timezone == "Europe/London"


def test_azure_names_are_read_and_handed_to_botbuilder_under_its_names(tmp_path: Path) -> None:
    settings = Settings.from_environment(
        {"MicrosoftAppId": APP, "MicrosoftAppPassword": "s3cret", "MicrosoftAppTenantId": TENANT},
        env_file=None,
    )

    config = settings.framework_config()
    assert (config.APP_ID, config.APP_PASSWORD, config.APP_TYPE, config.APP_TENANTID) == (
        APP,
        "s3cret",
        "SingleTenant",
        TENANT,
    )
    assert settings.tenants == (TENANT,)
    assert "s3cret" not in repr(settings)


def test_the_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text('# local\nEHCP_TIMEZONE="Europe/Dublin"\nEHCP_DB=from-file.db\n')

    settings = Settings.from_environment({"EHCP_DB": "from-env.db"}, env_file=env_file)

    assert settings.timezone == "Europe/Dublin"
    assert settings.db == Path("from-env.db")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MicrosoftAppId": "not-a-guid"}, "MicrosoftAppId: must be a GUID"),
        (
            {"MicrosoftAppId": APP, "MicrosoftAppPassword": "x"},
            "MicrosoftAppTenantId is needed for a single-tenant bot",
        ),
        ({"MicrosoftAppId": APP, "MicrosoftAppTenantId": TENANT}, "MicrosoftAppPassword is needed"),
        (  # it would have served every tenant (found in review)
            {"MicrosoftAppId": APP, "MicrosoftAppType": "UserAssignedMSI"},
            "MicrosoftAppTenantId is needed for a managed identity",
        ),
        (
            {"MicrosoftAppId": APP, "MicrosoftAppPassword": "x", "MicrosoftAppType": "MultiTenant"},
            "^EHCP_ALLOWED_TENANTS: a MultiTenant bot would serve every tenant",
        ),
        ({"MicrosoftAppType": "Anything"}, "MicrosoftAppType: Input should be"),
        ({"EHCP_TIMEZONE": "Mars/Olympus"}, "EHCP_TIMEZONE: 'Mars/Olympus' is not a time zone"),
        ({"EHCP_ALLOWED_TENANTS": f"{TENANT}, contoso"}, "EHCP_ALLOWED_TENANTS: 'contoso' is not"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(
    environ: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_environment(environ, env_file=None)


def test_the_tenant_allow_list_is_a_comma_separated_list() -> None:
    other = "0f0f0f0f-1111-4222-8333-444444444444"
    settings = Settings.from_environment(
        {"EHCP_ALLOWED_TENANTS": f"{TENANT.upper()},{other}"}, env_file=None
    )

    assert settings.tenants == (TENANT, other)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("https://ehcp.example.nhs.uk/", "https://ehcp.example.nhs.uk"),
        ("http://localhost:3978", "http://localhost:3978"),
        ("http://ehcp.example.nhs.uk", None),
        ("ftp://x", None),
        ("https://a b", None),
    ],
)
def test_the_public_address_is_https_or_this_machine(value: str, accepted: str | None) -> None:
    if accepted is None:
        with pytest.raises(SettingsError, match=r"EHCP_PUBLIC_URL: .*public https address"):
            Settings.from_environment({"EHCP_PUBLIC_URL": value}, env_file=None)
    else:
        settings = Settings.from_environment({"EHCP_PUBLIC_URL": value}, env_file=None)
        assert settings.public_url == accepted


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("EHCP_CONNECTOR_TIMEOUT", "30", 30.0),
        ("EHCP_CONNECTOR_TIMEOUT", "0.5", 0.5),
        ("EHCP_CONNECTOR_TIMEOUT", "0", None),
        ("EHCP_CONNECTOR_TIMEOUT", "121", None),
        ("EHCP_CONNECTOR_TIMEOUT", "soon", None),
        ("EHCP_SWEEP_LEASE", "300", 300.0),
        ("EHCP_SWEEP_LEASE", "1", 1.0),
        ("EHCP_SWEEP_LEASE", "0.5", None),
        ("EHCP_SWEEP_LEASE", "3601", None),
        ("EHCP_SWEEP_LEASE", "5 minutes", None),
        ("EHCP_FRAMEWORK_FIXES", "off", False),
        ("EHCP_FRAMEWORK_FIXES", "On", True),
        ("EHCP_FRAMEWORK_FIXES", "maybe", None),
    ],
)
def test_the_connector_timeout_the_sweep_lease_and_the_framework_switch_are_checked(
    variable: str, value: str, accepted: float | bool | None
) -> None:
    fields = {"EHCP_CONNECTOR_TIMEOUT": "connector_timeout", "EHCP_SWEEP_LEASE": "sweep_lease"}
    field = fields.get(variable, "framework_fixes")
    if accepted is None:
        with pytest.raises(SettingsError, match=f"^{variable}: must be"):
            Settings.from_environment({variable: value}, env_file=None)
    else:
        settings = Settings.from_environment({variable: value}, env_file=None)
        assert getattr(settings, field) == accepted
