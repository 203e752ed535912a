"""``regie mspdi import FILE`` and ``regie mspdi export CODE -o FILE``: MS Project XML from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from regie.planning import exchange
from regie.portfolio.models import Portfolio, Project


class Command(BaseCommand):
    help = "Import a Microsoft Project XML file as a new project, or export a project's plan as one."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        importing = commands.add_parser("import", help="import FILE as a new project; prints the project's code")
        importing.add_argument("file", help="an MS Project XML file (Save as: XML format)")
        importing.add_argument("--portfolio", help="the portfolio's code (default: the only active portfolio)")
        importing.add_argument("--code", help="the new project's code (default: made from its name)")
        importing.add_argument("--user", help="the user the project is imported as (default: the first superuser)")
        exporting = commands.add_parser("export", help="write project CODE's plan with its computed schedule")
        exporting.add_argument("code", help="the project's code")
        exporting.add_argument("-o", "--output", required=True, help="the file to write (.xml)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)
        else:
            self._export(options)

    def _user(self, username: str | None) -> Any:
        users = get_user_model()._default_manager
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username!r}.")
            return user
        user = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None:
            raise CommandError("No superuser to import as: create one with `regie createadmin`, or pass --user.")
        return user

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        portfolios = Portfolio.objects.active()
        if options.get("portfolio"):
            portfolio = portfolios.filter(code=options["portfolio"]).first()
            if portfolio is None:
                raise CommandError(f"No active portfolio with the code {options['portfolio']!r}.")
        else:
            count = portfolios.count()
            if count != 1:
                raise CommandError(f"{count} active portfolios: choose one with --portfolio CODE.")
            portfolio = portfolios.get()
        user = self._user(options.get("user"))
        try:
            with path.open("rb") as handle:
                project = exchange.import_project(
                    handle, user=user, portfolio=portfolio, code=options.get("code"), filename=path.name
                )
        except (ValidationError, PermissionDenied) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError(f"{path.name}: " + "; ".join(messages)) from None
        self.stdout.write(project.code)

    def _export(self, options: dict[str, Any]) -> None:
        project = Project.objects.filter(code=options["code"]).first()
        if project is None:
            raise CommandError(f"No project with the code {options['code']!r}.")
        data = exchange.export_project(project)
        output = Path(options["output"])
        try:
            output.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"{output}: {exc.strerror}.") from None
        self.stdout.write(f"{output} ({len(data)} bytes)")
