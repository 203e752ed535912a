import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Migrate the database and serve Regie, with a background worker beside it. In DEBUG mode Django's "
        "development server serves; otherwise gunicorn does."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000", help="host:port (default 127.0.0.1:8000)")
        parser.add_argument("--no-worker", action="store_true", help="Do not start a background worker.")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (production).")

    def handle(self, *args: Any, **options: Any) -> None:
        address = options["address"]
        host, _sep, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"Give the address as host:port, not {address!r}.")
        call_command("migrate", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "regie.cli", "worker"], env=os.environ.copy())
        try:
            if settings.DEBUG:
                call_command("runserver", address, use_reloader=False)
            else:
                call_command("collectstatic", interactive=False, verbosity=0)
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "regie.wsgi:application",
                        "--bind",
                        address,
                        "--workers",
                        str(options["workers"]),
                        "--access-logfile",
                        "-",
                    ],
                    check=False,
                )
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
