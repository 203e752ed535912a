"""How fast does the scheduling engine schedule a large plan, and how does it compare with MPXJ? A self-contained benchmark.

What is measured
    A generated plan (see :func:`generate`) at each size of ``--sizes`` (1,000, 10,000 and 100,000 tasks by
    default): a WBS of streams, phases and sub-phases (summary tasks, up to three levels above the work
    packages), about 1.5 links per task (mostly within a phase; some across phases and streams; a few from a
    phase's summary task), link types about 80 % FS, 10 % SS, 7 % FF and 3 % SF, lags mostly 0 with some
    working, elapsed and percentage lags, about 5 % milestones, durations of half a day to 20 days, a few
    "start no earlier than" constraints, and three calendars with Dutch national holidays (standard
    08:00-12:00/13:00-17:00 Monday to Friday; an early shift 07:00-11:30/12:00-15:30; a six-day week); about
    20 % of the tasks are on a calendar other than the project's. The streams run in parallel, so the plan
    spans about two years whatever its size.

    * ``regie.engine.cpm.schedule`` of the plan: the median of ``--repeat`` runs (each with fresh calendars,
      so their expansion is part of the time) and the peak memory of one more run measured with
      ``tracemalloc`` (the Python memory allocated during ``schedule()``, above what was allocated before it);
      the time per task at each size shows whether the time grows linearly.
    * the plan is written as MSPDI (``regie.planning.mspdi.write``, with Regie's dates, as MS Project would save
      it); the import of the ``--import-size`` file (10,000 tasks by default) is timed: ``mspdi.read`` plus
      ``engine_plan()`` and ``engine_calendars()``, the median of 3 runs. The file is read back and scheduled
      once more: the dates must be the same as those of the plan in memory.
    * MPXJ's scheduler (``org.mpxj.cpm.MicrosoftScheduler``, MPXJ 14 or later, in the ``mpxj`` Python package,
      through JPype) on the same files: each file is read once (not timed), scheduled once to warm up the JVM,
      then ``--repeat`` timed runs of ``MicrosoftScheduler().schedule(project, start)``; Regie's median is
      shown as a ratio to MPXJ's. MPXJ's dates are compared with Regie's (start, finish, early and late
      start and finish) for every task, or a sample of ``--compare-sample`` tasks at larger sizes, and the
      tasks that differ are counted and the first few listed. Without Java, ``mpxj`` or ``JPype1`` (see
      ``pip install 'regie[bench]'``) that column is skipped with a message.

Targets (exit code 0 when all pass, 1 otherwise)
    * 100,000 tasks scheduled in at most 1 s (median), with a peak below 1 GB;
    * the 10,000-task MSPDI file imported (read and turned into the engine's plan) in at most 3 s (median);
    * Regie faster than MPXJ at every size (when MPXJ runs).

Reproduce
    .venv/bin/python bench/schedule.py
    .venv/bin/python bench/schedule.py --sizes 1000,10000,100000 --repeat 5

    Options: ``--sizes``, ``--repeat`` (timed runs per size, default 5), ``--seed``, ``--import-size``,
    ``--compare-sample`` (tasks whose dates are compared with MPXJ's at sizes above it; default 5,000),
    ``--no-mpxj``, ``--profile`` (a cProfile of one run at the largest size) and ``--keep DIR`` (writes the
    MSPDI files into DIR and keeps them; by default they go to a temporary directory that is removed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib.metadata
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from regie.engine import calendar as cal  # noqa: E402
from regie.engine import cpm  # noqa: E402
from regie.planning import mspdi  # noqa: E402

SEED = 20261123
PROJECT_START = dt.datetime(2026, 1, 5, 8, 0)  # a Monday
TARGET_SIZE = 100_000
TARGET_SECONDS = 1.0
TARGET_PEAK_BYTES = 1024**3
TARGET_IMPORT_SECONDS = 3.0
DATES = ("start", "finish", "early_start", "early_finish", "late_start", "late_finish")

# --- the plan ---------------------------------------------------------------------------------------

STANDARD, EARLY, SIX_DAY = 1, 2, 3
DAY_HOURS = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))
EARLY_HOURS = ((7 * 60, 11 * 60 + 30), (12 * 60, 15 * 60 + 30))
#: work package durations in days, with their weights
DURATION_DAYS = ((0.5, 5), (1, 14), (2, 15), (3, 15), (4, 9), (5, 14), (8, 10), (10, 9), (15, 5), (20, 4))
LINK_TYPES = ((cpm.FS, 80), (cpm.SS, 10), (cpm.FF, 7), (cpm.SF, 3))
WORDS = [
    "Analyse requirements",
    "Design interfaces",
    "Build module",
    "Configure platform",
    "Migrate data",
    "Test integration",
    "Train users",
    "Review design",
    "Procure hardware",
    "Install servers",
    "Write documentation",
    "Prepare cut-over",
    "Validate reports",
    "Tune performance",
    "Security review",
    "Acceptance test",
    "Pilot roll-out",
    "Decommission legacy",
    "Update processes",
    "Sign-off",
]


def easter(year: int) -> dt.date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def holidays(first_year: int, last_year: int, bridge_days: bool = False) -> list[cal.CalendarException]:
    """The Dutch national holidays (and, with ``bridge_days``, the Friday after Ascension)."""
    found: list[cal.CalendarException] = []
    for year in range(first_year, last_year + 1):
        sunday = easter(year)
        kings_day = dt.date(year, 4, 27)
        if kings_day.weekday() == 6:
            kings_day = dt.date(year, 4, 26)
        days = [
            (dt.date(year, 1, 1), "New Year's Day"),
            (sunday - dt.timedelta(days=2), "Good Friday"),
            (sunday + dt.timedelta(days=1), "Easter Monday"),
            (kings_day, "King's Day"),
            (sunday + dt.timedelta(days=39), "Ascension Day"),
            (sunday + dt.timedelta(days=50), "Whit Monday"),
            (dt.date(year, 12, 25), "Christmas Day"),
            (dt.date(year, 12, 26), "Boxing Day"),
        ]
        if year % 5 == 0:
            days.append((dt.date(year, 5, 5), "Liberation Day"))
        if bridge_days:
            days.append((sunday + dt.timedelta(days=40), "Bridge day"))
        found += [cal.CalendarException(day, day, (), name) for day, name in sorted(days)]
    return found


def calendars(start: dt.datetime) -> dict[int, mspdi.MsCalendar]:
    first, last = start.year, start.year + 6
    return {
        STANDARD: mspdi.MsCalendar(STANDARD, "Standard", None, [DAY_HOURS] * 5 + [(), ()], holidays(first, last)),
        EARLY: mspdi.MsCalendar(EARLY, "Early shift", None, [EARLY_HOURS] * 5 + [(), ()], holidays(first, last, True)),
        SIX_DAY: mspdi.MsCalendar(SIX_DAY, "Six-day week", None, [DAY_HOURS] * 6 + [()], holidays(first, last)),
    }


@dataclass
class _Builder:
    rnd: random.Random
    size: int
    tasks: list[mspdi.MsTask] = field(default_factory=list)
    leaves_by_stream: list[list[mspdi.MsTask]] = field(default_factory=list)

    def add(self, name: str, level: int, parent: mspdi.MsTask | None, outline: str, **extra: Any) -> mspdi.MsTask:
        uid = len(self.tasks) + 1
        task = mspdi.MsTask(
            uid=uid,
            id=uid,
            name=name,
            outline_level=level,
            wbs=outline,
            outline_number=outline,
            parent_uid=parent.uid if parent else None,
            **extra,
        )
        if parent is not None:
            parent.summary = True
        self.tasks.append(task)
        return task

    def full(self) -> bool:
        return len(self.tasks) >= self.size

    def link(self, predecessor: mspdi.MsTask, successor: mspdi.MsTask, kind: str | None = None) -> None:
        rnd = self.rnd
        if kind is None:
            kind = rnd.choices([k for k, _ in LINK_TYPES], [w for _, w in LINK_TYPES])[0]
        r = rnd.random()
        if r < 0.85:
            lag, lag_kind, lag_format = 0.0, cpm.WORK, 7
        elif r < 0.95:  # a working lag, mostly positive
            lag, lag_kind, lag_format = float(rnd.choice([240, 480, 480, 960, 1440, 2400, -240, -480])), cpm.WORK, 7
        elif r < 0.98:  # an elapsed lag of 1 to 7 days
            lag, lag_kind, lag_format = float(1440 * rnd.randint(1, 7)), cpm.ELAPSED, 8
        else:  # a percentage of the predecessor's duration
            lag, lag_kind, lag_format = float(rnd.choice([25, 50, -25])), cpm.PERCENT, 19
        successor.links.append(mspdi.MsLink(predecessor.uid, kind, lag, lag_kind, lag_format))


def generate(size: int, seed: int = SEED, start: dt.datetime = PROJECT_START) -> mspdi.MsProject:
    """A realistic plan of ``size`` tasks (summary tasks included), the same for the same seed.

    Streams of about 300 tasks run in parallel; each is a chain of phases of 10 to 50 work packages (a
    fifth of the phases split into sub-phases), closed by a milestone. Work packages link to one or two
    of the last few packages of their phase; the first packages of a phase follow the previous phase's
    milestone or last packages; some links cross phases and, rarely, streams.
    """
    rnd = random.Random(seed)
    builder = _Builder(rnd, size)
    project = mspdi.MsProject(name=f"Generated plan of {size:,} tasks", start=start, calendar_uid=STANDARD)
    project.calendars = calendars(start)
    stream_number = 0
    while not builder.full():
        stream_number += 1
        _stream(builder, stream_number, start)
    _close(builder)
    project.tasks = builder.tasks
    return project


def _stream(builder: _Builder, number: int, start: dt.datetime) -> None:
    rnd = builder.rnd
    stream = builder.add(f"Stream {number}", 1, None, f"{number}")
    leaves: list[mspdi.MsTask] = []
    builder.leaves_by_stream.append(leaves)
    target = rnd.randint(100, 300)
    phases: list[tuple[mspdi.MsTask, list[mspdi.MsTask]]] = []
    first = len(builder.tasks)
    phase_number = 0
    while len(builder.tasks) - first < target and not builder.full():
        phase_number += 1
        phase = builder.add(f"Phase {number}.{phase_number}", 2, stream, f"{number}.{phase_number}")
        calendar_uid = rnd.choices([None, EARLY, SIX_DAY], [80, 12, 8])[0]
        work: list[mspdi.MsTask] = []
        if rnd.random() < 0.2:
            for sub in range(1, rnd.randint(2, 3) + 1):
                if builder.full():
                    break
                outline = f"{number}.{phase_number}.{sub}"
                parent = builder.add(f"Part {outline}", 3, phase, outline)
                work += _packages(builder, parent, 4, outline, rnd.randint(5, 20), calendar_uid, start)
        else:
            work += _packages(builder, phase, 3, f"{number}.{phase_number}", rnd.randint(10, 50), calendar_uid, start)
        if not work:
            break
        _link_phase(builder, work, phases)
        if not builder.full():
            done = builder.add(f"Phase {number}.{phase_number} complete", 3, phase, f"{number}.{phase_number}.0", milestone=True)
            for predecessor in work[-rnd.randint(1, 3) :]:
                builder.link(predecessor, done, cpm.FS)
            work.append(done)
        leaves += work
        phases.append((phase, work))


def _packages(
    builder: _Builder, parent: mspdi.MsTask, level: int, outline: str, count: int, calendar_uid: int | None, start: dt.datetime
) -> list[mspdi.MsTask]:
    rnd = builder.rnd
    made = []
    for number in range(1, count + 1):
        if builder.full():
            break
        milestone = rnd.random() < 0.025
        if milestone:
            duration = 0
        else:
            days = rnd.choices([d for d, _ in DURATION_DAYS], [w for _, w in DURATION_DAYS])[0]
            duration = int(days * 480)
        task_calendar = calendar_uid if rnd.random() < 0.9 else rnd.choice([None, EARLY, SIX_DAY])
        extra: dict[str, Any] = {}
        if rnd.random() < 0.01:
            moment = start + dt.timedelta(days=rnd.randint(0, 500))
            extra = {"constraint": cpm.SNET, "constraint_date": moment}
        made.append(
            builder.add(
                f"{rnd.choice(WORDS)} {outline}.{number}",
                level,
                parent,
                f"{outline}.{number}",
                milestone=milestone,
                duration=duration,
                duration_format=7,
                calendar_uid=task_calendar,
                **extra,
            )
        )
    return made


def _link_phase(builder: _Builder, work: list[mspdi.MsTask], phases: list[tuple[mspdi.MsTask, list[mspdi.MsTask]]]) -> None:
    rnd = builder.rnd
    previous = phases[-1][1] if phases else []
    for position, task in enumerate(work):
        if position < rnd.randint(1, 3):
            if previous:
                if position == 0 and rnd.random() < 0.03:
                    builder.link(phases[-1][0], task, cpm.FS)  # from the previous phase's summary task
                else:
                    builder.link(previous[-1] if position == 0 else rnd.choice(previous[-4:]), task)
            continue
        window = work[max(0, position - 12) : position]
        count = 1 if rnd.random() < 0.45 else 2
        for predecessor in rnd.sample(window, min(count, len(window))):
            builder.link(predecessor, task)
        r = rnd.random()
        if r < 0.05 and len(phases) > 1:
            builder.link(rnd.choice(rnd.choice(phases[:-1])[1]), task)  # from an earlier phase
        elif r < 0.055 and len(builder.leaves_by_stream) > 1:
            # from an earlier stream, at most as far into it as this task is into its own
            other = rnd.choice(builder.leaves_by_stream[-6:-1])
            reach = min(len(other), len(builder.leaves_by_stream[-1]) + position)
            if reach > 1:
                builder.link(other[rnd.randrange(reach // 2)], task)


def _close(builder: _Builder) -> None:
    """Summary tasks left without work (the plan was cut at its size) become plain tasks."""
    for task in builder.tasks:
        if task.summary:
            task.duration = 0
        elif task.outline_level < 3 and not task.milestone and task.duration == 0:
            task.duration = 480


# --- measuring --------------------------------------------------------------------------------------


@dataclass
class Plan:
    size: int
    project: mspdi.MsProject
    tasks: list[cpm.Task]
    links: list[cpm.Link]
    default: str
    path: Path | None = None
    leaves: int = 0

    def calendars(self) -> dict[str, cal.Calendar]:
        return self.project.engine_calendars()

    def schedule(self, calendars: dict[str, cal.Calendar] | None = None) -> cpm.Schedule:
        return cpm.schedule(self.tasks, self.links, calendars or self.calendars(), self.default, self.project.start)


@dataclass
class Measured:
    times: list[float] = field(default_factory=list)
    peak: int = 0
    schedule: cpm.Schedule | None = None
    mpxj_times: list[float] = field(default_factory=list)
    mpxj_note: str = ""
    compared: int = 0
    differing: int = 0
    differences: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(self.times)


def build(size: int, seed: int) -> Plan:
    project = generate(size, seed)
    tasks, links = project.engine_plan()
    plan = Plan(size, project, tasks, links, str(project.default_calendar_uid()))
    plan.leaves = sum(1 for t in project.tasks if not t.summary)
    return plan


def time_regie(plan: Plan, repeat: int) -> Measured:
    measured = Measured()
    for _ in range(repeat):
        calendars = plan.calendars()
        gc.collect()
        began = time.perf_counter()
        result = plan.schedule(calendars)
        measured.times.append(time.perf_counter() - began)
        measured.schedule = result
        del result
    calendars = plan.calendars()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = plan.schedule(calendars)
    measured.peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    del result
    return measured


def time_import(path: Path, runs: int = 3) -> tuple[list[float], mspdi.MsProject]:
    times = []
    project = None
    for _ in range(runs):
        gc.collect()
        began = time.perf_counter()
        project = mspdi.read(str(path))
        project.engine_plan()
        project.engine_calendars()
        times.append(time.perf_counter() - began)
    assert project is not None
    return times, project


def same_dates(a: cpm.Schedule, b: cpm.Schedule) -> bool:
    return a.tasks == b.tasks and a.finish == b.finish


# --- MPXJ -------------------------------------------------------------------------------------------


class Mpxj:
    """MPXJ's scheduler through JPype, or the reason it cannot run."""

    def __init__(self) -> None:
        self.reason = ""
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            self.reason = "Java is not installed: the MPXJ column is skipped"
            return
        try:
            import jpype
            import mpxj  # noqa: F401 - puts MPXJ's jars on the class path
        except ImportError as exc:
            self.reason = f"{exc.name or exc} is not installed (pip install 'regie[bench]'): the MPXJ column is skipped"
            return
        try:
            if not jpype.isJVMStarted():
                jpype.startJVM("-Xmx4g", convertStrings=True)
            from org.mpxj.cpm import MicrosoftScheduler  # type: ignore[import-not-found]
            from org.mpxj.reader import UniversalProjectReader  # type: ignore[import-not-found]
        except Exception as exc:  # noqa: BLE001 - any failure of the JVM: skip with its message
            self.reason = f"MPXJ could not start ({exc}): the MPXJ column is skipped"
            return
        self.scheduler = MicrosoftScheduler
        self.reader = UniversalProjectReader

        self.integer = jpype.JClass("java.lang.Integer")
        try:
            self.version = importlib.metadata.version("mpxj")
        except importlib.metadata.PackageNotFoundError:
            self.version = "?"

    def run(self, plan: Plan, measured: Measured, repeat: int, sample: int, seed: int) -> None:
        assert plan.path is not None
        project = self.reader().read(str(plan.path))
        start = project.getProjectProperties().getStartDate()
        try:
            self.scheduler().schedule(project, start)  # warm-up, not counted
            for _ in range(repeat):
                gc.collect()
                began = time.perf_counter()
                self.scheduler().schedule(project, start)
                measured.mpxj_times.append(time.perf_counter() - began)
        except Exception as exc:  # noqa: BLE001 - reported in the table, not hidden
            measured.mpxj_note = f"MPXJ failed: {exc}"
            return
        self.compare(project, plan, measured, sample, seed)

    def compare(self, project: Any, plan: Plan, measured: Measured, sample: int, seed: int) -> None:
        assert measured.schedule is not None
        results = measured.schedule.tasks
        uids = [t.uid for t in plan.project.tasks]
        if len(uids) > sample:
            uids = sorted(random.Random(seed).sample(uids, sample))
        getters = {
            "start": "getStart",
            "finish": "getFinish",
            "early_start": "getEarlyStart",
            "early_finish": "getEarlyFinish",
            "late_start": "getLateStart",
            "late_finish": "getLateFinish",
        }
        for uid in uids:
            task = project.getTaskByUniqueID(self.integer(uid))
            ours = results[uid]
            wrong = []
            for name, getter in getters.items():
                value = getattr(task, getter)()
                theirs = dt.datetime.fromisoformat(str(value)) if value is not None else None
                if theirs != getattr(ours, name):
                    wrong.append(name)
                    measured.differences[name] = measured.differences.get(name, 0) + 1
                    if len(measured.examples) < 6:
                        measured.examples.append(
                            f"task {uid} ({'summary' if task.getSummary() else 'task'}): {name} Regie"
                            f" {getattr(ours, name):%Y-%m-%d %H:%M}, MPXJ {theirs:%Y-%m-%d %H:%M}"
                            if theirs is not None
                            else f"task {uid}: {name} Regie {getattr(ours, name):%Y-%m-%d %H:%M}, MPXJ none"
                        )
            measured.compared += 1
            measured.differing += 1 if wrong else 0


# --- the report -------------------------------------------------------------------------------------


def table(rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="plan sizes in tasks (default 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per size (default 5)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed of the generated plans (default {SEED})")
    parser.add_argument("--import-size", type=int, default=10_000, help="size of the MSPDI file whose import is timed")
    parser.add_argument("--compare-sample", type=int, default=5000, help="tasks compared with MPXJ per size (default 5000)")
    parser.add_argument("--no-mpxj", action="store_true", help="skip MPXJ")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run at the largest size")
    parser.add_argument("--keep", default="", help="write the MSPDI files into this directory and keep them")
    options = parser.parse_args(argv)
    try:
        options.sizes = sorted({int(s.replace("_", "")) for s in options.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes takes numbers separated by commas")
    if not options.sizes or min(options.sizes) < 50 or options.repeat < 1:
        parser.error("need sizes of at least 50 tasks and --repeat >= 1")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    directory = Path(options.keep) if options.keep else Path(tempfile.mkdtemp(prefix="regie-bench-schedule-"))
    directory.mkdir(parents=True, exist_ok=True)
    try:
        return run(options, directory)
    finally:
        if not options.keep:
            shutil.rmtree(directory, ignore_errors=True)


def run(options: argparse.Namespace, directory: Path) -> int:
    sizes = list(options.sizes)
    if options.import_size and options.import_size not in sizes:
        sizes_with_files = sorted([*sizes, options.import_size])
    else:
        sizes_with_files = sizes
    plans: dict[int, Plan] = {}
    measured: dict[int, Measured] = {}
    load_before = load()
    for size in sizes_with_files:
        began = time.perf_counter()
        plan = build(size, options.seed)
        plans[size] = plan
        generated = time.perf_counter() - began
        if size in sizes:
            measured[size] = time_regie(plan, options.repeat)
            median = measured[size].median()
        else:
            measured[size] = Measured(schedule=plan.schedule())
            median = float("nan")
        began = time.perf_counter()
        plan.path = directory / f"plan-{size}.xml"
        plan.path.write_bytes(mspdi.write(plan.project, measured[size].schedule))
        written = time.perf_counter() - began
        print(
            f"{size:>7,} tasks: generated in {generated:.1f} s, Regie median {median:.3f} s,"
            f" MSPDI written in {written:.1f} s ({plan.path.stat().st_size / 2**20:.1f} MiB)",
            flush=True,
        )
    load_after = load()
    if options.profile:
        import cProfile
        import pstats

        largest = plans[max(sizes)]
        calendars = largest.calendars()
        profiler = cProfile.Profile()
        profiler.runcall(largest.schedule, calendars)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)

    imported: dict[str, Any] = {}
    if options.import_size:
        plan = plans[options.import_size]
        assert plan.path is not None
        times, project = time_import(plan.path)
        tasks, links = project.engine_plan()
        again = cpm.schedule(tasks, links, project.engine_calendars(), str(project.default_calendar_uid()), project.start)
        imported = {
            "times": times,
            "size": plan.path.stat().st_size,
            "same": same_dates(again, measured[options.import_size].schedule),
        }
        print(
            f"imported the {options.import_size:,}-task file in {statistics.median(times):.2f} s (median of {len(times)})",
            flush=True,
        )

    mpxj: Mpxj | None = None
    if not options.no_mpxj:
        mpxj = Mpxj()
        if mpxj.reason:
            print(mpxj.reason, flush=True)
        else:
            for size in sizes:
                mpxj.run(plans[size], measured[size], options.repeat, options.compare_sample, options.seed)
                print(f"{size:>7,} tasks: MPXJ done", flush=True)

    return report(options, plans, measured, imported, mpxj, load_before, load_after)


def report(
    options: argparse.Namespace,
    plans: dict[int, Plan],
    measured: dict[int, Measured],
    imported: dict[str, Any],
    mpxj: Mpxj | None,
    load_before: float,
    load_after: float,
) -> int:
    sizes = list(options.sizes)
    with_mpxj = mpxj is not None and not mpxj.reason
    print()
    print("Regie scheduling benchmark")
    print(
        f"  plan         generated (seed {options.seed}): streams of phases, ~1.5 links per task, FS/SS/FF/SF ~80/10/7/3 %,"
        " lags mostly 0, ~5 % milestones, 3 calendars with holidays"
    )
    print(
        f"  measured     median of {options.repeat} runs of cpm.schedule() with fresh calendars; peak = tracemalloc peak of one"
    )
    print("               more run (Python allocations during schedule(), above those before it)")
    if mpxj is not None and not mpxj.reason:
        print(
            f"  MPXJ         {mpxj.version or '?'}, MicrosoftScheduler via JPype; 1 warm-up run, then {options.repeat} timed runs"
        )
    print(
        f"  machine      {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; load average (1 min)"
        f" {load_before:.2f} before the Regie runs, {load_after:.2f} after"
    )
    print()
    header = ["size", "tasks", "leaves", "links", "Regie median s", "peak MiB", "µs per task"]
    if with_mpxj:
        header += ["MPXJ median s", "Regie / MPXJ", "dates compared", "tasks differing"]
    rows = [header]
    for size in sizes:
        plan, m = plans[size], measured[size]
        row = [
            f"{size:,}",
            f"{len(plan.tasks):,}",
            f"{plan.leaves:,}",
            f"{len(plan.links):,}",
            f"{m.median():.3f}",
            f"{m.peak / 2**20:.1f}",
            f"{1e6 * m.median() / len(plan.tasks):.2f}",
        ]
        if with_mpxj:
            if m.mpxj_times:
                mpxj_median = statistics.median(m.mpxj_times)
                row += [f"{mpxj_median:.3f}", f"{m.median() / mpxj_median:.2f}", f"{m.compared:,}", f"{m.differing:,}"]
            else:
                row += ["-", "-", "-", m.mpxj_note[:40] or "-"]
        rows.append(row)
    print(table(rows, right=set(range(len(header)))))
    per_task = [measured[s].median() / len(plans[s].tasks) for s in sizes]
    growth = max(per_task) / min(per_task) if len(per_task) > 1 else 1.0
    if len(sizes) > 1:
        print(
            f"\n  time per task from {sizes[0]:,} to {sizes[-1]:,} tasks: x{per_task[-1] / per_task[0]:.2f}"
            f" (largest/smallest over the sizes x{growth:.2f}); linear growth keeps it about constant"
        )
    if imported:
        times = imported["times"]
        again = "the same dates" if imported["same"] else "DIFFERENT dates"
        print(
            f"\n  import of the {options.import_size:,}-task MSPDI file ({imported['size'] / 2**20:.1f} MiB):"
            f" mspdi.read + engine_plan() + engine_calendars(), median {statistics.median(times):.2f} s of {len(times)}"
            f" ({', '.join(f'{t:.2f}' for t in times)}); scheduled again: {again}"
        )
    if mpxj is not None and mpxj.reason:
        print(f"\n  {mpxj.reason}")
    elif with_mpxj:
        for size in sizes:
            m = measured[size]
            if m.mpxj_note:
                print(f"\n  {size:,} tasks: {m.mpxj_note}")
            if m.differing:
                fields = ", ".join(f"{name} {count}" for name, count in sorted(m.differences.items()))
                print(f"\n  {size:,} tasks: {m.differing:,} of {m.compared:,} tasks have a date that differs from MPXJ's")
                print(f"    ({fields}); e.g.")
                for example in m.examples:
                    print(f"    {example}")
    print()
    checks = []
    if TARGET_SIZE in sizes:
        m = measured[TARGET_SIZE]
        checks.append(
            (
                f"{TARGET_SIZE:,} tasks scheduled (median)",
                f"{m.median():.3f} s",
                f"<= {TARGET_SECONDS:g} s",
                m.median() <= TARGET_SECONDS,
            )
        )
        checks.append(
            (f"{TARGET_SIZE:,} tasks: peak memory", f"{m.peak / 2**20:.0f} MiB", "< 1024 MiB", m.peak < TARGET_PEAK_BYTES)
        )
    if imported:
        median = statistics.median(imported["times"])
        checks.append(
            (
                f"{options.import_size:,}-task MSPDI import (median)",
                f"{median:.2f} s",
                f"<= {TARGET_IMPORT_SECONDS:g} s",
                median <= TARGET_IMPORT_SECONDS,
            )
        )
        checks.append(("imported plan scheduled: same dates", "yes" if imported["same"] else "no", "yes", imported["same"]))
    if with_mpxj:
        for size in sizes:
            m = measured[size]
            if m.mpxj_times:
                ratio = m.median() / statistics.median(m.mpxj_times)
                checks.append((f"{size:,} tasks: Regie / MPXJ", f"{ratio:.2f}", "< 1", ratio < 1))
            else:
                checks.append((f"{size:,} tasks: Regie / MPXJ", "MPXJ failed", "< 1", False))
    rows = [["check", "measured", "target", "result"]]
    rows += [[name, value, target, "PASS" if ok else "FAIL"] for name, value, target, ok in checks]
    print(table(rows, right={1}))
    passed = all(ok for *_, ok in checks)
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
