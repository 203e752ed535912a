from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from regie.core import jobs


class Command(BaseCommand):
    help = "Run background jobs and periodic schedules from the database until stopped (SIGTERM or Ctrl-C)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run the jobs that are due now, then stop.")
        parser.add_argument("--poll", type=float, default=None, help="Seconds to sleep when idle (default 1).")
        parser.add_argument("--max-jobs", type=int, default=None, help="Stop after this many jobs.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["poll"] is not None and options["poll"] <= 0:
            self.stderr.write("--poll must be a positive number of seconds.")
            raise SystemExit(2)
        ran = jobs.work(once=options["once"], poll_seconds=options["poll"], max_jobs=options["max_jobs"])
        self.stdout.write(f"{ran} job(s) run.")
