"""The regie command and the demo organisation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from regie.core.demo import load_demo
from regie.core.models import Domain, OrgUnit, Person, RoleAssignment, Team

pytestmark = pytest.mark.django_db


def _counts():
    models = (Domain, OrgUnit, Person, Team, RoleAssignment, get_user_model())
    counts = {m.__name__: m.objects.count() for m in models}
    counts["history"] = sum(m.history.count() for m in (Domain, OrgUnit, Person, Team))
    return counts


def test_demo_twice_changes_nothing():
    load_demo(lambda _line: None)
    first = _counts()
    assert first["Person"] >= 25 and first["Team"] >= 5 and first["Domain"] == 3
    load_demo(lambda _line: None)
    assert _counts() == first


def test_demo_logins_see_what_they_should():
    from django.test import Client

    load_demo(lambda _line: None)
    dev = Client()
    dev.force_login(get_user_model().objects.get(username="dev"))
    people = dev.get("/api/people/", {"limit": 500}).json()["items"]
    units = {p["org_unit_id"] for p in people} - {None}
    it_units = set(OrgUnit.objects.filter(code__startswith="NB-IT").values_list("pk", flat=True))
    assert units and units <= it_units
    hr = Client()
    hr.force_login(get_user_model().objects.get(username="hr"))
    assert hr.get("/people/import/").status_code == 200
    assert "Teams and units I lead" not in hr.get("/my-work/").content.decode()
    lead = get_user_model().objects.create_user("lead")
    Person.objects.filter(email="priya.raman@northbridge.example").update(user=lead)
    client = Client()
    client.force_login(lead)
    assert "Application team" in client.get("/my-work/").content.decode()


def test_demo_command_prints_the_logins(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "admin" in out and "regie-demo-2026" in out


def test_createadmin_from_an_environment_variable(monkeypatch):
    monkeypatch.setenv("NEW_ADMIN_PASSWORD", "Operator-passw0rd-7")
    call_command("createadmin", "operator", "--email", "ops@example.org", "--password-env", "NEW_ADMIN_PASSWORD")
    user = get_user_model().objects.get(username="operator")
    assert user.check_password("Operator-passw0rd-7") and user.person.role_assignments.get().role == "administrator"
    with pytest.raises(CommandError, match="already exists"):
        call_command("createadmin", "operator", "--password-env", "NEW_ADMIN_PASSWORD")
    monkeypatch.setenv("WEAK", "123")
    with pytest.raises(CommandError):
        call_command("createadmin", "weakling", "--password-env", "WEAK")
    assert not get_user_model().objects.filter(username="weakling").exists()


def test_worker_refuses_a_bad_poll_interval():
    with pytest.raises(SystemExit):
        call_command("worker", "--poll", "-1")


def test_the_regie_command_runs_manage_py_commands(tmp_path):
    env = {
        **os.environ,
        "REGIE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "regie.settings",
        "DEBUG": "true",
    }
    regie = Path(sys.executable).parent / "regie"
    result = subprocess.run([str(regie), "help"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    for command in ("run", "demo", "worker", "createadmin", "migrate"):
        assert command in result.stdout
    bad = subprocess.run([str(regie), "run", "nonsense"], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "host:port" in bad.stderr
    assert (tmp_path / "secret_key").exists() and oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **os.environ,
        "REGIE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "regie.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "production-secret-key-that-is-long-and-random-9f8e7d6c5b4a",
        "ALLOWED_HOSTS": "regie.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
