"""How much does the API cost on top of plain Django? A self-contained benchmark.

What is measured
    On a fresh database with 20,000 people (about 60 organisational units in a tree, 15 job profiles;
    bulk-loaded, then ``VACUUM ANALYZE`` (``ANALYZE`` on SQLite): the state autovacuum keeps production in),
    gunicorn (2 sync workers) serves two endpoints that return the same 50 people:

    * the baseline ``GET /bench/bare-people/``: a bare Django ``JsonResponse`` over ``.values()``, no auth
      (present only when ``REGIE_BENCHMARK_VIEWS=true``);
    * the API ``GET /api/people/?limit=50`` with ``Authorization: Bearer <personal API token>`` of a user who
      holds the ``member`` role on the whole organisation: token authentication, permission filtering,
      filter schema, pagination and pydantic serialisation.

    A closed-loop load generator (Python threads, one ``http.client`` connection each; gunicorn's sync
    workers close the connection after every response) runs interleaved rounds (bare, api; api, bare;
    bare, api ...) so that noise hits both equally; a short warm-up per endpoint is not counted.
    Reported per endpoint: requests per second (median over the rounds), latency median and p95 (over
    all requests of all rounds, seen by the client, so including queueing for a worker), errors (non-200
    answers; must be 0) and the CPU the load generator itself used (share of one core), which the server
    did not get.

Targets (exit code 0 when all pass, 1 otherwise)
    * API rps / bare rps >= 0.50;
    * the number of SQL queries of ``GET /api/people/?limit=10``, ``=50`` and ``=200`` is the same
      (counted in a separate process with Django's test client and ``CaptureQueriesContext``);
    * the peak resident memory (VmHWM) of every gunicorn worker after the run is below 250 MB;
    * no request fails.

Reproduce
    .venv/bin/python bench/api_overhead.py                      # SQLite file in a temporary directory
    .venv/bin/python bench/api_overhead.py --database-url postgres://postgres@127.0.0.1:5432/regie_bench

    Options: ``--people 20000 --seconds 10 --rounds 3 --concurrency 8 --workers 2``; ``--profile`` also
    prints a cProfile of 20 API requests; ``--keep`` keeps the temporary directory and the database. The
    PostgreSQL database named in the URL (local, its name must contain "bench") is dropped and created
    again, and dropped at the end. Only 127.0.0.1 is contacted; everything is cleaned up on exit.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from regie.core.demo_data import PROFILES

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.portfolio import private_database  # noqa: E402

BIN = Path(sys.executable).parent
BARE_PATH = "/bench/bare-people/"
API_PATH = "/api/people/?limit=50"
QUERY_LIMITS = (10, 50, 200)
RESULT_MARKER = "BENCH-RESULT "

TARGET_RATIO = 0.50
TARGET_MEMORY_MB = 250.0


# --- data generation (runs in a subprocess with Django set up) --------------------------------------


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",")]


GIVEN_NAMES = {
    "nl": _names(
        "Sanne, Daan, Lotte, Bram, Noor, Ruben, Emma, Thijs, Fleur, Jeroen, Anouk, Maarten, Eva, Wouter, "
        "Iris, Pieter, Femke, Joris, Sophie, Lucas, Julia, Sem, Tess, Niels"
    ),
    "sv": _names(
        "Erik, Ingrid, Johan, Astrid, Oskar, Maja, Sven, Elin, Lars, Hanna, Nils, Karin, Anders, Sofia, "
        "Gustav, Linnea, Olof, Frida, Henrik, Ebba"
    ),
    "en": _names(
        "Liam, Claire, Priya, Tom, Olivia, James, Amelia, Oliver, Grace, Harry, Chloe, Jack, Fatima, Yusuf, "
        "Aylin, Marco, Julia, Kevin, Sarah, David"
    ),
}
FAMILY_NAMES = {
    "nl": _names(
        "de Vries, Jansen, Bakker, Visser, Smit, Meijer, de Jong, Mulder, de Boer, Bos, Vos, Peters, "
        "Hendriks, van Dijk, Dekker, Brouwer, de Wit, Dijkstra, Smits, de Graaf, van der Meer, Kok, Jacobs, "
        "van Dam"
    ),
    "sv": _names(
        "Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson, Svensson, Gustafsson, "
        "Lindqvist, Berg, Holm, Lund, Ek, Lindberg, Sandberg, Forsberg"
    ),
    "en": _names(
        "Smith, Jones, Taylor, Brown, Williams, Wilson, Johnson, Davies, Robinson, Wright, O'Connor, Raman, "
        "Dubois, Kowalski, Rossi, Kaya, Demir, El Amrani, Evans, Walker"
    ),
}
LANGUAGE_WEIGHTS = {"nl": 60, "sv": 25, "en": 15}
PHONE_PREFIX = {"nl": "+31 20 ", "sv": "+46 8 ", "en": "+44 20 "}

DIRECTORATES = [
    ("OPS", "Operations", ["IT", "Facilities", "Service management", "Security"]),
    ("FIN", "Finance", ["Accounting", "Purchasing", "Control", "Payroll"]),
    ("PPL", "People", ["Recruitment", "Learning", "HR advice", "Health and safety"]),
    ("PUB", "Public services", ["Permits", "Customer contact", "Inspections", "Social affairs"]),
    ("STR", "Strategy", ["Policy", "Programme office", "Research"]),
    ("DIG", "Digital", ["Applications", "Infrastructure", "Data", "Workplace"]),
]
TEAM_SUFFIXES = ["North", "South", "Front office", "Back office", "Projects"]

JOB_PROFILES = [*PROFILES, ("POL", "Policy advisor")]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def populate(people: int) -> dict[str, Any]:
    """Create the organisation, ``people`` people, the API user and its token; return the raw token."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from regie.core.models import JobProfile, OrgUnit, Person, RoleAssignment, Scope
    from regie.core.services import token_create

    rng = random.Random(20260101)  # the same organisation on every run
    with transaction.atomic():
        root_scope = Scope.root()
        units = [OrgUnit(code="NB", name="Northbridge")]
        units[0].save()
        for d_code, d_name, departments in DIRECTORATES:
            directorate = OrgUnit(code=f"NB-{d_code}", name=f"Directorate {d_name}", parent=units[0])
            directorate.save()
            units.append(directorate)
            for i, dep_name in enumerate(departments, start=1):
                department = OrgUnit(code=f"NB-{d_code}-{i}", name=dep_name, parent=directorate)
                department.save()
                units.append(department)
                for j, suffix in enumerate(TEAM_SUFFIXES[: 1 + (i + len(d_code)) % 2], start=1):
                    code = f"NB-{d_code}-{i}-{j}"
                    team = OrgUnit(code=code, name=f"{dep_name} {suffix}", parent=department)
                    team.save()
                    units.append(team)
        profiles = JobProfile.objects.bulk_create([JobProfile(code=c, name=n) for c, n in JOB_PROFILES])
        # Larger units get more people: the leaves of the tree hold most of the staff.
        unit_weights = [1 if u.parent_id is None else 3 if u.code.count("-") == 1 else 20 for u in units]
        languages = list(LANGUAGE_WEIGHTS)
        language_weights = list(LANGUAGE_WEIGHTS.values())
        rows = []
        for n in range(people):
            language = rng.choices(languages, language_weights)[0]
            given = rng.choice(GIVEN_NAMES[language])
            family = rng.choice(FAMILY_NAMES[language])
            rows.append(
                Person(
                    given_name=given,
                    family_name=family,
                    email=f"{_ascii(given)}.{_ascii(family)}.{n}@northbridge.example",
                    phone=f"{PHONE_PREFIX[language]}{rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
                    employee_number=f"NB{100000 + n}",
                    org_unit=rng.choices(units, unit_weights)[0],
                    job_profile=rng.choice(profiles),
                    language=language,
                )
            )
        Person.objects.bulk_create(rows, batch_size=1000)

        user = get_user_model()(username="bench-api", email="bench-api@northbridge.example")
        user.set_unusable_password()
        user.save()
        person = Person.objects.create(given_name="Bench", family_name="Client", email=user.email, org_unit=units[0], user=user)
        RoleAssignment.objects.create(person=person, role="member", scope=root_scope)
        _, raw = token_create(user=user, name="bench")
    # The steady state of a production server, where autovacuum has run: planner statistics (without
    # them a freshly bulk-loaded table is planned as if it were nearly empty) and, on PostgreSQL, the
    # visibility map that lets counts use an index-only scan instead of visiting every row.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"token": raw, "people": Person.objects.count(), "units": len(units), "profiles": len(profiles)}


def count_queries(token: str, profile: bool) -> dict[str, Any]:
    """The SQL queries of one API list request per limit (after a warm-up request), and optionally a
    cProfile of one ``limit=50`` request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get("/api/people/?limit=1")  # warm-up: imports, schema building, the token's last-used stamp
    result: dict[str, Any] = {"counts": {}, "sql": {}}
    for limit in QUERY_LIMITS:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/people/?limit={limit}")
        if response.status_code != 200 or len(response.json()["items"]) != limit:
            raise RuntimeError(f"limit={limit}: HTTP {response.status_code} {response.content[:300]!r}")
        result["counts"][str(limit)] = len(queries.captured_queries)
        result["sql"][str(limit)] = [q["sql"][:300] for q in queries.captured_queries]
    if profile:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            client.get(API_PATH)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
        result["profile"] = out.getvalue()
    return result


def internal(mode: str, options: argparse.Namespace) -> None:
    import django

    django.setup()
    payload = populate(options.people) if mode == "populate" else count_queries(os.environ["BENCH_TOKEN"], options.profile)
    print(RESULT_MARKER + json.dumps(payload))


# --- environment, database and server ---------------------------------------------------------------


def server_environment(var_dir: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="regie.settings",
        REGIE_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECRET_KEY=secrets.token_urlsafe(48),
        REGIE_BENCHMARK_VIEWS="true",
        LOG_LEVEL="WARNING",
    )
    return env


def run_internal(mode: str, env: dict[str, str], options: argparse.Namespace) -> dict[str, Any]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--internal", mode]
    argv += ["--people", str(options.people)]
    if options.profile:
        argv.append("--profile")
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-5000:])
        raise SystemExit(f"bench: the {mode} step failed (exit code {done.returncode})")
    return json.loads(lines[-1][len(RESULT_MARKER) :])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, headers: dict[str, str], timeout: float = 10.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    argv = [
        str(BIN / "gunicorn"), "regie.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--access-logfile", "/dev/null", "--error-logfile", str(log),
    ]  # fmt: skip
    server = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"bench: gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if get(port, "/health/", {}, timeout=2)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise SystemExit("bench: gunicorn did not answer /health/ within 60 s")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def children_of(pid: int) -> list[int]:
    """Child processes of ``pid``, from /proc (no psutil needed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may contain spaces; the parent pid is the second field after it.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


# --- load generation --------------------------------------------------------------------------------


@dataclass
class Round:
    requests: int = 0
    seconds: float = 0.0
    client_cpu: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


@dataclass
class Endpoint:
    label: str
    path: str
    headers: dict[str, str]
    rounds: list[Round] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return len(self.latencies)


def load_round(port: int, endpoint: Endpoint, seconds: float, concurrency: int) -> Round:
    """Closed loop: ``concurrency`` threads each send the next request when the previous one is answered,
    until ``seconds`` have passed. Requests answered after the deadline are not counted."""
    lock = threading.Lock()
    barrier = threading.Barrier(concurrency + 1)
    shared: dict[str, float] = {}
    result = Round()

    def worker() -> None:
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=max(10.0, seconds))
        barrier.wait()
        deadline = shared["deadline"]
        while True:
            started = time.perf_counter()
            if started >= deadline:
                break
            try:
                conn.request("GET", endpoint.path, headers=endpoint.headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()  # sync workers close after each answer; request() reconnects
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status, error = 0, type(exc).__name__
                time.sleep(0.01)  # do not spin on a refused connection
            else:
                error = "" if status == 200 else f"HTTP {status}"
            finished = time.perf_counter()
            if finished > deadline:
                break
            latencies.append(finished - started)
            if error:
                errors[error] += 1
        conn.close()
        with lock:
            endpoint.latencies.extend(latencies)
            endpoint.errors.update(errors)
            result.requests += len(latencies)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    cpu_before = time.process_time()
    shared["deadline"] = time.perf_counter() + seconds
    barrier.wait()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    result.seconds = seconds
    result.client_cpu = (time.process_time() - cpu_before) / seconds
    endpoint.rounds.append(result)
    return result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


# --- reporting --------------------------------------------------------------------------------------


def table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(
    options: argparse.Namespace,
    info: dict[str, Any],
    endpoints: list[Endpoint],
    queries: dict[str, Any],
    memory: dict[int, float],
) -> bool:
    bare, api = endpoints
    engine = "postgresql" if options.database_url else "sqlite (file in a temporary directory)"
    print()
    print("Regie API overhead benchmark")
    print(f"  database     {engine}")
    print(f"  data         {info['people']:,} people, {info['units']} units, {info['profiles']} job profiles")
    print(f"  server       gunicorn regie.wsgi, {options.workers} sync workers, 127.0.0.1, DEBUG=false")
    print(
        f"  load         {options.concurrency} concurrent connections (Python threads),"
        f" {options.rounds} rounds x {options.seconds:g} s per endpoint, interleaved bare/api"
    )
    print(
        f"  machine      {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average (1 min)"
        f" {info['load_before']:.2f} before the timed rounds, {info['load_after']:.2f} after"
    )
    print()
    rows = [["endpoint", "rps (median)", "rps per round", "p50 ms", "p95 ms", "requests", "errors"]]
    rows[0].append("client CPU")
    for ep in endpoints:
        rows.append(
            [
                ep.label,
                f"{statistics.median(r.rps for r in ep.rounds):.1f}",
                " / ".join(f"{r.rps:.0f}" for r in ep.rounds),
                f"{percentile(ep.latencies, 0.50) * 1000:.1f}",
                f"{percentile(ep.latencies, 0.95) * 1000:.1f}",
                f"{ep.requests}",
                f"{sum(ep.errors.values())}",
                f"{statistics.mean(r.client_cpu for r in ep.rounds) * 100:.0f}%",
            ]
        )
    print(table(rows, right={1, 2, 3, 4, 5, 6, 7}))
    print()

    ratio = statistics.median(r.rps for r in api.rounds) / statistics.median(r.rps for r in bare.rounds)
    counts = [queries["counts"][str(limit)] for limit in QUERY_LIMITS]
    peak = max(memory.values()) if memory else float("nan")
    errors = sum(sum(ep.errors.values()) for ep in endpoints)
    checks = [
        ("API rps / bare rps", f"{ratio:.2f}", f">= {TARGET_RATIO:.2f}", ratio >= TARGET_RATIO),
        (
            "SQL queries, limit=" + "/".join(map(str, QUERY_LIMITS)),
            "/".join(map(str, counts)),
            "equal",
            len(set(counts)) == 1,
        ),
        (
            f"peak worker memory (VmHWM, {len(memory)} workers)",
            f"{peak:.1f} MB",
            f"< {TARGET_MEMORY_MB:.0f} MB",
            bool(memory) and peak < TARGET_MEMORY_MB,
        ),
        ("failed requests (non-200)", str(errors), "0", errors == 0),
    ]
    rows = [["check", "measured", "target", "result"]]
    rows += [[name, measured, target, "PASS" if ok else "FAIL"] for name, measured, target, ok in checks]
    print(table(rows, right={1}))
    print()
    print("  worker VmHWM: " + ", ".join(f"pid {pid} {mb:.1f} MB" for pid, mb in sorted(memory.items())))
    for ep in endpoints:
        if ep.errors:
            print(f"  ERRORS on {ep.label}: " + ", ".join(f"{k} x{v}" for k, v in ep.errors.most_common()))
    if len(set(counts)) != 1:
        for limit in QUERY_LIMITS:
            print(f"  queries for limit={limit}:")
            for statement in queries["sql"][str(limit)]:
                print(f"    {statement}")
    passed = all(ok for *_, ok in checks)
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'}")
    return passed


# --- main -------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--people", type=int, default=20000, help="people to create (default 20000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of one round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per endpoint (default 3)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--database-url", default="", help="local PostgreSQL URL (default: fresh SQLite)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of API requests")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and database")
    parser.add_argument("--internal", choices=["populate", "queries"], help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.people < 200 or options.seconds <= 0 or options.rounds < 1 or options.concurrency < 1:
        parser.error("need --people >= 200, --seconds > 0, --rounds >= 1 and --concurrency >= 1")
    if options.seconds * options.rounds > 600:
        parser.error("a run is limited to 600 s of load per endpoint")
    if options.database_url:
        url = urlsplit(options.database_url)
        if url.scheme not in ("postgres", "postgresql") or url.hostname not in ("127.0.0.1", "localhost"):
            parser.error("--database-url must be a local PostgreSQL URL (postgres://...@127.0.0.1/...)")
        if "bench" not in url.path:
            parser.error("the database is dropped and created: its name must contain 'bench'")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if options.internal:
        internal(options.internal, options)
        return 0

    with private_database(options, "regie-bench-", django_here=False) as (tmp, database_url):
        return measure_servers(options, tmp, database_url)


def measure_servers(options: argparse.Namespace, tmp: Path, database_url: str) -> int:
    env = server_environment(tmp, database_url)
    server: subprocess.Popen[bytes] | None = None
    try:
        step = time.perf_counter()
        subprocess.run([str(BIN / "regie"), "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
        info = run_internal("populate", env, options)
        print(f"database ready in {time.perf_counter() - step:.1f} s: {info['people']:,} people")

        port = free_port()
        server = start_gunicorn(env, port, options.workers, tmp / "gunicorn.log")
        common = {"Accept": "application/json", "Host": f"127.0.0.1:{port}"}
        endpoints = [
            Endpoint(f"GET {BARE_PATH}", BARE_PATH, common),
            Endpoint(f"GET {API_PATH}", API_PATH, {**common, "Authorization": f"Bearer {info['token']}"}),
        ]
        for ep in endpoints:  # both must answer 50 people before anything is timed
            status, body = get(port, ep.path, ep.headers)
            items = json.loads(body).get("items", []) if status == 200 else []
            if status != 200 or len(items) != 50:
                raise SystemExit(f"bench: {ep.label} answered HTTP {status}: {body[:500]!r}")
        for ep in endpoints:  # warm-up, not counted: every worker imports and builds what it caches
            load_round(port, ep, min(3.0, options.seconds), options.concurrency)
            ep.rounds.clear()
            ep.latencies.clear()
            ep.errors.clear()
        info["load_before"] = os.getloadavg()[0]
        for n in range(options.rounds):
            for ep in endpoints if n % 2 == 0 else endpoints[::-1]:
                measured = load_round(port, ep, options.seconds, options.concurrency)
                print(f"round {n + 1}: {ep.label:32} {measured.rps:8.1f} rps", flush=True)

        info["load_after"] = os.getloadavg()[0]
        workers = children_of(server.pid)
        memory = {pid: peak_memory_mb(pid) for pid in workers}
        stop(server)
        server = None

        queries_env = {**env, "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver", "BENCH_TOKEN": info["token"]}
        queries = run_internal("queries", queries_env, options)
        passed = report(options, info, endpoints, queries, memory)
        if options.profile:
            print("\ncProfile of 20 API requests (GET " + API_PATH + ", Django test client):")
            print(queries["profile"])
        return 0 if passed else 1
    finally:
        if server is not None:
            stop(server)


if __name__ == "__main__":
    sys.exit(main())
