"""``ehcp-bot check``: a deployment ready for Teams passes; each thing that would stop the bot
working is one PROBLEM line and exit code 1; the database is only read; no secret is shown."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.app_package.manifest import PackageOptions, build_package
from bot.check.findings import Severity
from bot.check.run import all_findings
from bot.cli.main import main
from bot.storage.migrations import SCHEMA_VERSION
from bot.storage.store import Repositories, Store
from ehcp_rules import Role
from tests.fakes import FakeClock

APP = "3f2b1c4e-8a9d-4e7f-9b1a-2c3d4e5f6a7b"
OTHER_BOT = "11111111-2222-4333-8444-555555555555"
TENANT = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
SECRET = "Zq8~not-for-your-eyes.Xw3"  # the shape of an Entra ID client secret
METRICS_TOKEN = "c0ffee" * 6  # 36 characters
HOST = "ehcp.example.nhs.uk"
DCO = "00000000-0000-4000-8000-00000000000d"
ADMIN = "00000000-0000-4000-8000-00000000000a"
READY = {
    "MicrosoftAppId": APP,
    "MicrosoftAppPassword": SECRET,
    "MicrosoftAppTenantId": TENANT,
    "EHCP_PUBLIC_URL": f"https://{HOST}",
    "EHCP_METRICS_TOKEN": METRICS_TOKEN,
}


def _ready_database(path: Path) -> None:
    with Store.open(path, clock=FakeClock()) as store:
        store.call(_fill)


def _fill(repos: Repositories) -> None:
    for number, name in enumerate(("CAMHS", "SLT"), 1):
        service = repos.services.add(name, provider=None, actor="test")
        channel = f"19:channel{number}@thread.tacv2"
        repos.channels.remember(channel, kind="channel", team_id="t", name=name, reference={})
        repos.channels.subscribe(channel, service.id, actor="test")
    repos.people.grant(DCO, Role.DCO, service=None, display_name="DCO", actor="test")
    repos.people.grant(ADMIN, Role.ADMIN, service=None, display_name="Admin", actor="test")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A deployment ready for Teams: settings, a database and an app package for this bot."""
    monkeypatch.chdir(tmp_path)  # no .env but the test's own
    for name in ("MicrosoftAppId", "MicrosoftAppPassword", "MicrosoftAppTenantId", "EHCP_DB"):
        monkeypatch.delenv(name, raising=False)
    for name in ("MicrosoftAppType", "EHCP_PUBLIC_URL", "EHCP_TIMEZONE", "EHCP_NUDGE_TIME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("EHCP_ALLOWED_TENANTS", raising=False)
    monkeypatch.delenv("EHCP_METRICS_TOKEN", raising=False)
    for name, value in READY.items():
        monkeypatch.setenv(name, value)
    _ready_database(tmp_path / "ehcp.db")
    (tmp_path / "app.zip").write_bytes(build_package(PackageOptions(bot_id=APP, host=HOST)))
    return tmp_path


def _check(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["check", "--db", str(folder / "ehcp.db"), "--package", str(folder / "app.zip")])
    out, err = capsys.readouterr()
    problems = [line for line in out.splitlines() if line.startswith("PROBLEM")]
    return code, problems, out + err


def test_a_deployment_ready_for_teams_passes(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, problems, out = _check(folder, capsys)

    assert (code, problems) == (0, [])
    assert f"ok       settings: MicrosoftAppId {APP} (SingleTenant), with a client secret" in out
    assert "ok       database: " in out
    assert "ok       roles: 0 practitioner, 0 spoc, 1 dco, 1 admin" in out
    assert "ok       services: 2, each with a channel for its nudges" in out
    assert f"app.zip: valid, for bot {APP}" in out
    assert out.rstrip().endswith(
        "Nothing found that would stop the bot working in Teams (0 warnings)."
    )


def _revoke(role: Role, who: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        with Store.open(folder / "ehcp.db", clock=FakeClock()) as store:
            store.call(lambda r: r.people.revoke(who, role, service=None, actor="test"))

    return change


def _unsubscribe(folder: Path) -> None:
    with Store.open(folder / "ehcp.db", clock=FakeClock()) as store:
        slt = store.call(lambda r: r.services.named("SLT"))
        store.call(lambda r: r.channels.unsubscribe("19:channel2@thread.tacv2", slt.id, actor="t"))


def _another_bot(folder: Path) -> None:
    package = build_package(PackageOptions(bot_id=OTHER_BOT, host=HOST))
    (folder / "app.zip").write_bytes(package)


def _schema(version: int) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        with sqlite3.connect(folder / "ehcp.db") as conn:
            conn.execute(f"PRAGMA user_version = {version:d}")

    return change


def _one_fault_in_the_package(folder: Path) -> None:
    package = zipfile.ZipFile(folder / "app.zip")
    files = {name: package.read(name) for name in package.namelist()}
    manifest = json.loads(files["manifest.json"]) | {"manifestVersion": "0.1"}
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(folder / "app.zip", "w") as rewritten:
        for name, data in files.items():
            rewritten.writestr(name, data)


def _garbage(folder: Path) -> None:
    (folder / "ehcp.db").write_bytes(b"not a database" * 100)


PROBLEMS: dict[str, tuple[dict[str, str | None], Callable[[Path], None] | None, str]] = {
    "no app id": ({"MicrosoftAppId": None}, None, "MicrosoftAppId is not set"),
    "an app id without a secret": (
        {"MicrosoftAppPassword": None},
        None,
        "MicrosoftAppPassword is needed with MicrosoftAppId",
    ),
    "single-tenant without its tenant": (
        {"MicrosoftAppTenantId": None},
        None,
        "MicrosoftAppTenantId is needed for a single-tenant bot",
    ),
    "multi-tenant without an allow-list": (
        {"MicrosoftAppType": "MultiTenant"},
        None,
        "EHCP_ALLOWED_TENANTS: a MultiTenant bot would serve every tenant",
    ),
    "no public address": ({"EHCP_PUBLIC_URL": None}, None, "EHCP_PUBLIC_URL is not set"),
    "a public address without https": (
        {"EHCP_PUBLIC_URL": "http://localhost:3978"},
        None,
        "EHCP_PUBLIC_URL http://localhost:3978 is not https",
    ),
    "a bad time zone": (
        {"EHCP_TIMEZONE": "Mars/Olympus"},
        None,
        "EHCP_TIMEZONE: 'Mars/Olympus' is not a time zone",
    ),
    "a bad nudge time": ({"EHCP_NUDGE_TIME": "25:00"}, None, "EHCP_NUDGE_TIME: "),
    "no DCO": ({}, _revoke(Role.DCO, DCO), "no DCO: nobody can see the compliance summary"),
    "no administrator": ({}, _revoke(Role.ADMIN, ADMIN), "no administrator"),
    "a service without a channel": (
        {},
        _unsubscribe,
        "1 of 2 without a channel for their nudges: SLT (",
    ),
    "a package for another bot": ({}, _another_bot, f"was built for bot {OTHER_BOT}"),
    "a package with one fault": ({}, _one_fault_in_the_package, "is not valid (1 problem; "),
    "a newer schema": ({}, _schema(SCHEMA_VERSION + 1), "written by a newer version"),
    "no database": ({}, lambda f: (f / "ehcp.db").unlink(), "does not exist"),
    "not a database": ({}, _garbage, "cannot be read: file is not a database"),
}


@pytest.mark.parametrize("case", list(PROBLEMS))
def test_each_thing_that_would_stop_the_bot_is_one_problem_and_exit_1(
    case: str, folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environment, change, expected = PROBLEMS[case]
    for name, value in environment.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)
    if change:
        change(folder)

    code, problems, out = _check(folder, capsys)

    assert code == 1
    assert len(problems) == 1, problems
    assert expected in problems[0]
    assert SECRET not in out


@pytest.mark.parametrize(
    "environment",
    [
        {"MicrosoftAppType": "UserAssignedMSI", "MicrosoftAppPassword": None},
        {"MicrosoftAppType": "MultiTenant", "EHCP_ALLOWED_TENANTS": f"{TENANT},{OTHER_BOT}"},
    ],
    ids=["a managed identity needs no secret", "multi-tenant with an allow-list"],
)
def test_settings_that_fit_together_pass(
    environment: dict[str, str | None],
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in environment.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)

    assert _check(folder, capsys)[:2] == (0, [])


def test_every_bad_value_is_listed_at_once(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EHCP_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("EHCP_NUDGE_TIME", "nine")
    monkeypatch.delenv("MicrosoftAppPassword")

    code, problems, _ = _check(folder, capsys)

    assert code == 1
    assert [p.removeprefix("PROBLEM  settings: ").split(" ")[0] for p in problems] == [
        "EHCP_TIMEZONE:",
        "EHCP_NUDGE_TIME:",
        "MicrosoftAppPassword",
    ]


def test_late_nudges_and_another_time_zone_are_warnings_not_problems(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EHCP_TIMEZONE", "Europe/Dublin")
    monkeypatch.setenv("EHCP_NUDGE_TIME", "21:30")

    code, problems, out = _check(folder, capsys)

    assert (code, problems) == (0, [])
    assert "warning  time: EHCP_TIMEZONE is Europe/Dublin" in out
    assert "warning  time: EHCP_NUDGE_TIME is 21:30" in out


def test_an_older_schema_is_a_warning_and_is_left_as_it_is(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _schema(SCHEMA_VERSION - 1)(folder)

    code, problems, out = _check(folder, capsys)

    assert (code, problems) == (0, [])
    assert f"serve upgrades it to {SCHEMA_VERSION} as it starts" in out
    with sqlite3.connect(folder / "ehcp.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION - 1


def test_the_check_writes_nothing(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = folder / "ehcp.db"
    before = database.read_bytes()

    _check(folder, capsys)

    assert database.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["app.zip", "ehcp.db"]


def test_a_paused_channel_does_not_count_until_its_pause_ends(folder: Path) -> None:
    with sqlite3.connect(folder / "ehcp.db") as conn:
        conn.execute("UPDATE subscriptions SET paused_until = '2026-12-01'")

    def services_on(day: FakeClock) -> list[str]:
        found = all_findings({}, db=str(folder / "ehcp.db"), clock=day)
        return [f.text for f in found if f.topic == "services"]

    paused = services_on(FakeClock(date(2026, 11, 30)))
    assert paused[0].startswith("2 of 2 without a channel")
    assert services_on(FakeClock(date(2026, 12, 1))) == ["2, each with a channel for its nudges"]


@pytest.mark.parametrize(
    "environment",
    [
        READY,
        {**READY, "MicrosoftAppId": "not-a-guid"},
        {**READY, "MicrosoftAppTenantId": "", "MicrosoftAppType": "Bogus"},
        {**READY, "MicrosoftAppType": "MultiTenant", "EHCP_PUBLIC_URL": "http://example.org"},
        {**READY, "EHCP_ALLOWED_TENANTS": "contoso", "EHCP_CONNECTOR_TIMEOUT": "never"},
    ],
)
def test_the_secret_is_never_shown(
    environment: dict[str, str],
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in READY:
        monkeypatch.delenv(name)
    (folder / ".env").write_text("".join(f"{k}={v}\n" for k, v in environment.items()))

    code, _, out = _check(folder, capsys)

    assert "settings: " in out  # the settings were read and reported on...
    assert (code == 0) is (environment is READY)  # ...from the .env file
    assert SECRET not in out
    assert SECRET[:8] not in out
    assert METRICS_TOKEN[:8] not in out


def test_no_metrics_token_is_a_warning(
    folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("EHCP_METRICS_TOKEN")

    code, problems, out = _check(folder, capsys)

    assert (code, problems) == (0, [])
    assert "warning  signals: EHCP_METRICS_TOKEN is not set: /metrics is not served" in out


def test_findings_are_problems_warnings_or_ok() -> None:
    assert [s.value for s in Severity] == ["ok", "warning", "PROBLEM"]
