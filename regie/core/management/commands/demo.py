from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from regie.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo organisation (migrating first). Running it again changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        logins = load_demo(self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo organisation Northbridge is ready. Sign in with:"))
        for login, name, what in logins:
            self.stdout.write(f"  {login:<6} {name:<22} {what}")
        self.stdout.write(f"  password for every demo login: {DEMO_PASSWORD}")
