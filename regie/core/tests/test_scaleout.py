"""Scale-out on PostgreSQL, shown rather than claimed: two app servers and two workers share one
database; a session signed in on one server works on the other, and each queued job runs exactly once."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

pytestmark = pytest.mark.scaleout

DATABASE_URL = os.environ.get("DATABASE_URL", "")
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server on port {port} did not start")


class Browser:
    """A minimal cookie-keeping HTTP client for one server at a time."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, body: dict[str, str] | None = None) -> tuple[int, str, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Host": "127.0.0.1"}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.read().decode(), dict(response.getheaders())


@pytest.mark.skipif(not DATABASE_URL.startswith("postgres"), reason="scale-out needs PostgreSQL (DATABASE_URL)")
def test_two_servers_and_two_workers_share_sessions_and_run_each_job_once(tmp_path):
    import psycopg

    parts = urllib.parse.urlsplit(DATABASE_URL)
    name = f"regie_scaleout_{secrets.token_hex(4)}"
    admin_url = parts._replace(path="/postgres").geturl()
    url = parts._replace(path=f"/{name}").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "REGIE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "regie.settings",
        "ADMIN_PASSWORD": "Scale-out-passw0rd",
    }
    processes: list[subprocess.Popen] = []
    try:
        regie = str(BIN / "regie")
        subprocess.run([regie, "migrate", "--noinput"], env=env, check=True, capture_output=True)
        subprocess.run([regie, "collectstatic", "--noinput"], env=env, check=True, capture_output=True)
        subprocess.run(
            [regie, "createadmin", "ops", "--password-env", "ADMIN_PASSWORD"],
            env=env,
            check=True,
            capture_output=True,
        )
        script = "from regie.core import jobs\nfor i in range(40): jobs.enqueue('core.ping', seconds=0.05)"
        subprocess.run([regie, "shell", "-c", script], env=env, check=True, capture_output=True)

        ports = [_free_port(), _free_port()]
        for port in ports:
            processes.append(
                subprocess.Popen(
                    [
                        str(BIN / "gunicorn"),
                        "regie.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        for _ in range(2):
            processes.append(
                subprocess.Popen(
                    [regie, "worker", "--poll", "0.1"],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        deadline = time.monotonic() + 60
        for port in ports:
            _wait_for(port, deadline)

        # Sign in on server A ...
        browser = Browser()
        status, page, _ = browser.request(ports[0], "GET", "/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _, headers = browser.request(
            ports[0],
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": "ops", "password": env["ADMIN_PASSWORD"]},
        )
        assert status == 302, "sign-in on server A failed"
        # ... and the same session works on server B, for reading and for a CSRF-protected write.
        status, page, _ = browser.request(ports[1], "GET", "/profile/")
        assert status == 200 and "ops" in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, page, _ = browser.request(ports[1], "POST", "/profile/", {"csrfmiddlewaretoken": token, "name": "from B"})
        assert status == 200 and "rg_" in page
        status, page, _ = browser.request(ports[0], "GET", "/profile/")
        assert "from B" in page

        # Every job runs exactly once, shared between the two workers.
        with psycopg.connect(url, autocommit=True) as connection:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                left = connection.execute(
                    "SELECT count(*) FROM core_job WHERE task = 'core.ping' AND status <> 'succeeded'"
                ).fetchone()[0]
                if left == 0:
                    break
                time.sleep(0.3)
            rows = connection.execute(
                "SELECT status, attempts, worker, result->>'worker' FROM core_job WHERE task = 'core.ping'"
            ).fetchall()
        assert len(rows) == 40
        assert all(status == "succeeded" for status, *_ in rows), rows
        assert all(attempts == 1 for _, attempts, *_ in rows), "a job was claimed more than once"
        assert all(worker == ran_by for _, _, worker, ran_by in rows)
        assert len({worker for _, _, worker, _ in rows}) == 2, "both workers should have taken jobs"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
