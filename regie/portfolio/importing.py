"""Importing projects from a sheet (CSV or Excel), all or nothing.

Every row is checked before anything is written; each problem is named by its row (the header is row 1)
and its column. Portfolios, programmes and life-cycle models are given by code, people by email address;
all are matched without regard to case against records that are not archived. The importer needs the
import action somewhere and, for each row, the right to add a project where that project lands: in its
programme if it has one, otherwise in its portfolio.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.core import permissions
from regie.core.jobs import task
from regie.core.models import Job, Person
from regie.core.sheets import ImportRejected, RowError
from regie.core.tasks import import_sheet
from regie.portfolio.choices import ReportingFrequency
from regie.portfolio.models import LifecycleModel, Portfolio, Programme, Project

#: The columns a project sheet may have, each with the header names it is known by (English, Dutch,
#: Swedish). Headers are matched without regard to case, spacing or underscores.
PROJECT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("code", "project code", "projectcode", "kod", "projektkod"),
    "name": ("name", "project name", "naam", "projectnaam", "namn", "projektnamn"),
    "goal": ("goal", "objective", "doel", "doelstelling", "mål"),
    "portfolio": ("portfolio", "portfolio code", "portefeuille", "portfoliocode", "portfölj"),
    "programme": ("programme", "programme code", "program", "programma", "programmacode"),
    "sponsor": ("sponsor", "opdrachtgever", "beställare"),
    "project_manager": ("project_manager", "project manager", "projectleider", "projectmanager", "projektledare"),
    "pmo_officers": (
        "pmo_officers",
        "pmo officers",
        "pmo officer",
        "pmo-medewerkers",
        "pmo-medewerker",
        "pmo medewerkers",
        "pmo-handläggare",
        "pmo handläggare",
    ),
    "steering_committee": ("steering_committee", "steering committee", "stuurgroep", "styrgrupp"),
    "planned_start": (
        "planned_start",
        "planned start",
        "start date",
        "start",
        "startdatum",
        "begindatum",
        "geplande start",
        "planerad start",
    ),
    "planned_end": ("planned_end", "planned end", "end date", "end", "einddatum", "gepland einde", "slutdatum", "planerat slut"),
    "lifecycle": (
        "lifecycle",
        "life cycle",
        "life-cycle",
        "life-cycle model",
        "lifecycle model",
        "levenscyclus",
        "levenscyclusmodel",
        "livscykel",
        "livscykelmodell",
    ),
    "reporting_frequency": ("reporting_frequency", "reporting frequency", "rapportagefrequentie", "rapporteringsfrekvens"),
    "expected_costs": ("expected_costs", "expected costs", "costs", "verwachte kosten", "kosten", "förväntade kostnader"),
    "currency": ("currency", "valuta"),
    "expected_benefits": ("expected_benefits", "expected benefits", "verwachte baten", "förväntad nytta"),
    "strategic_contribution": (
        "strategic_contribution",
        "strategic contribution",
        "strategische bijdrage",
        "strategiskt bidrag",
    ),
}

REQUIRED_COLUMNS = ("code", "name", "portfolio")

#: Reporting frequencies by name, in English, Dutch and Swedish.
FREQUENCIES: dict[str, str] = {
    "weekly": ReportingFrequency.WEEKLY,
    "wekelijks": ReportingFrequency.WEEKLY,
    "veckovis": ReportingFrequency.WEEKLY,
    "fortnightly": ReportingFrequency.FORTNIGHTLY,
    "every two weeks": ReportingFrequency.FORTNIGHTLY,
    "tweewekelijks": ReportingFrequency.FORTNIGHTLY,
    "varannan vecka": ReportingFrequency.FORTNIGHTLY,
    "monthly": ReportingFrequency.MONTHLY,
    "maandelijks": ReportingFrequency.MONTHLY,
    "månadsvis": ReportingFrequency.MONTHLY,
}

#: Date forms a cell may take: ISO (also as written by Excel for a date cell) and day first.
DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")

_PEOPLE_LISTS = ("pmo_officers", "steering_committee")


def _key(header: str) -> str:
    """A header as matched: case, underscores and runs of spaces do not matter."""
    text = unicodedata.normalize("NFC", header).lower().replace("_", " ")
    return " ".join(text.split())


def _aliases() -> dict[str, str]:
    return {_key(alias): name for name, names in PROJECT_COLUMNS.items() for alias in names}


def parse_date(text: str) -> date:
    """A date in ISO form (yyyy-mm-dd, with or without a time as Excel date cells carry) or day first
    (dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy). Raises ValueError otherwise."""
    value = text.strip()
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(value, form).date()
        except ValueError:
            continue
    raise ValueError(value)


def parse_amount(text: str) -> Decimal:
    """An amount written as 1234.50, 1234,50, 1.234,50, 1,234.50 or 1 234,50. With both marks, the last one
    separates the decimals; a single mark followed by exactly three digits (or repeated) groups thousands.
    Raises ValueError otherwise."""
    cleaned = re.sub(r"[\s']", "", text)
    sign = ""
    if cleaned.startswith(("+", "-")):
        sign, cleaned = cleaned[0], cleaned[1:]
    if "." in cleaned and "," in cleaned:
        decimal_mark = "." if cleaned.rfind(".") > cleaned.rfind(",") else ","
    elif "." in cleaned or "," in cleaned:
        mark = "." if "." in cleaned else ","
        tail = cleaned.rsplit(mark, 1)[1]
        decimal_mark = mark if cleaned.count(mark) == 1 and len(tail) != 3 else ""
    else:
        decimal_mark = ""
    integer, fraction = cleaned.rsplit(decimal_mark, 1) if decimal_mark else (cleaned, "")
    group = {".": ",", ",": "."}.get(decimal_mark, "." if "." in integer else ",")
    if not re.fullmatch(r"\d+|\d{1,3}(?:" + re.escape(group) + r"\d{3})+", integer) or not re.fullmatch(r"\d*", fraction):
        raise ValueError(text)
    try:
        return Decimal(sign + integer.replace(group, "") + ("." + fraction if fraction else ""))
    except InvalidOperation:
        raise ValueError(text) from None


def _header_errors(row: dict[str, str], aliases: dict[str, str]) -> list[RowError]:
    errors: list[RowError] = []
    unknown = [c for c in row if _key(c) not in aliases]
    if unknown:
        errors.append(RowError(1, ", ".join(unknown), _("Unknown column(s).")))
    named: dict[str, list[str]] = {}
    for column in row:
        if _key(column) in aliases:
            named.setdefault(aliases[_key(column)], []).append(column)
    for name, columns in named.items():
        if len(columns) > 1:
            errors.append(RowError(1, ", ".join(columns), _("Several columns give %s; keep one of them.") % name))
    for required in REQUIRED_COLUMNS:
        if required not in named:
            errors.append(RowError(1, required, _("This column is required.")))
    return errors


def project_import(
    *, actor: Any, rows: list[dict[str, str]], progress: Callable[[int, int, str], Any] | None = None
) -> list[Project]:
    """Create projects from sheet rows, all or nothing: every row is validated first, each problem named by
    row and column, and nothing is written unless every row is right. Returns the projects created."""
    if not permissions.holds_anywhere(actor, "portfolio.import_project"):
        raise PermissionDenied(_("You may not import projects."))
    aliases = _aliases()
    if rows:
        header_errors = _header_errors(rows[0], aliases)
        if header_errors:
            raise ImportRejected(header_errors)
    portfolios = {p.code.lower(): p for p in Portfolio.objects.active().select_related("scope")}
    programmes = {p.code.lower(): p for p in Programme.objects.active().select_related("scope", "portfolio")}
    lifecycles = {m.code.lower(): m for m in LifecycleModel.objects.active()}
    people = {p.email.lower(): p for p in Person.objects.active().exclude(email=None).exclude(email="") if p.email}
    existing_codes = {c.lower() for c in Project.objects.values_list("code", flat=True)}
    errors: list[RowError] = []
    projects: list[tuple[Project, dict[str, list[Person]]]] = []
    seen_codes: dict[str, int] = {}
    total = len(rows)
    for index, raw in enumerate(rows):
        line = index + 2
        data = {aliases[_key(k)]: (v or "").strip() for k, v in raw.items() if _key(k) in aliases}
        project, members, row_errors = _check_row(line, data, portfolios, programmes, lifecycles, people)
        code = project.code.lower()
        if code:
            if code in existing_codes:
                row_errors.append(RowError(line, "code", _("A project with this code already exists.")))
            elif code in seen_codes:
                row_errors.append(RowError(line, "code", _("The same code is on row %s.") % seen_codes[code]))
            seen_codes.setdefault(code, line)
        if not row_errors and not permissions.may(actor, "portfolio.add_project", scope=project.parent_scope()):
            if project.programme_id:
                row_errors.append(RowError(line, "programme", _("You may not add projects in this programme.")))
            else:
                row_errors.append(RowError(line, "portfolio", _("You may not add projects in this portfolio.")))
        errors.extend(row_errors)
        projects.append((project, members))
        if progress and index % 200 == 0:
            progress(index, total * 2, _("Checking row %s") % line)
    if errors:
        raise ImportRejected(errors)
    with transaction.atomic():
        for index, (project, members) in enumerate(projects):
            project._history_user = actor  # type: ignore[attr-defined]
            project.save()
            for name, persons in members.items():
                if persons:
                    getattr(project, name).set(persons)
            if progress and index % 200 == 0:
                progress(total + index, total * 2, _("Saving row %s") % (index + 2))
    return [project for project, _members in projects]


def _check_row(
    line: int,
    data: dict[str, str],
    portfolios: dict[str, Portfolio],
    programmes: dict[str, Programme],
    lifecycles: dict[str, LifecycleModel],
    people: dict[str, Person],
) -> tuple[Project, dict[str, list[Person]], list[RowError]]:
    """One row as an unsaved project, its people lists, and what is wrong with it."""
    errors: list[RowError] = []

    def fail(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    project = Project(
        code=data.get("code", ""),
        name=data.get("name", ""),
        goal=data.get("goal", ""),
        expected_benefits=data.get("expected_benefits", ""),
        strategic_contribution=data.get("strategic_contribution", ""),
    )
    portfolio_code = data.get("portfolio", "")
    portfolio = portfolios.get(portfolio_code.lower()) if portfolio_code else None
    if not portfolio_code:
        fail("portfolio", _("Give the code of the portfolio the project belongs to."))
    elif portfolio is None:
        fail("portfolio", _("No portfolio with code “%s”.") % portfolio_code)
    else:
        project.portfolio = portfolio
    programme_code = data.get("programme", "")
    if programme_code:
        programme = programmes.get(programme_code.lower())
        if programme is None:
            fail("programme", _("No programme with code “%s”.") % programme_code)
        elif portfolio is not None and programme.portfolio_id != portfolio.pk:
            fail(
                "programme",
                _("Programme “%(programme)s” is not in portfolio “%(portfolio)s”.")
                % {"programme": programme_code, "portfolio": portfolio_code},
            )
        elif portfolio is not None:
            project.programme = programme
    for name in ("sponsor", "project_manager"):
        email = data.get(name, "")
        if email:
            person = people.get(email.lower())
            if person is None:
                fail(name, _("No person with email address “%s”.") % email)
            else:
                setattr(project, name, person)
    members: dict[str, list[Person]] = {}
    for name in _PEOPLE_LISTS:
        chosen: list[Person] = []
        for email in re.split(r"[;,\s]+", data.get(name, "")):
            if not email:
                continue
            person = people.get(email.lower())
            if person is None:
                fail(name, _("No person with email address “%s”.") % email)
            elif person not in chosen:
                chosen.append(person)
        members[name] = chosen
    for name in ("planned_start", "planned_end"):
        text = data.get(name, "")
        if text:
            try:
                setattr(project, name, parse_date(text))
            except ValueError:
                fail(name, _("“%s” is not a date: write it as yyyy-mm-dd or dd-mm-yyyy.") % text)
    lifecycle_code = data.get("lifecycle", "")
    if lifecycle_code:
        lifecycle = lifecycles.get(lifecycle_code.lower())
        if lifecycle is None:
            fail("lifecycle", _("No life-cycle model with code “%s”.") % lifecycle_code)
        else:
            project.lifecycle = lifecycle
    frequency = " ".join(data.get("reporting_frequency", "").lower().split())
    if frequency:
        if frequency in FREQUENCIES:
            project.reporting_frequency = FREQUENCIES[frequency]
        else:
            fail(
                "reporting_frequency",
                _("“%(value)s” is not a reporting frequency: use weekly, fortnightly or monthly.")
                % {"value": data["reporting_frequency"]},
            )
    costs = data.get("expected_costs", "")
    if costs:
        try:
            project.expected_costs = parse_amount(costs)
        except ValueError:
            fail("expected_costs", _("“%s” is not an amount: write it like 1234.50 or 1.234,50.") % costs)
    currency = data.get("currency", "").upper()
    if currency:
        if re.fullmatch(r"[A-Z]{3}", currency):
            project.currency = currency
        else:
            fail("currency", _("Use a three-letter currency code such as EUR or SEK."))
    # The related records were looked up above; checking them again would cost a query per row.
    skip = {"portfolio", "programme", "sponsor", "project_manager", "lifecycle"} | {e.column for e in errors}
    try:
        project.full_clean(exclude=skip, validate_unique=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = "" if name == NON_FIELD_ERRORS else name
            errors.extend(RowError(line, column, m) for m in messages)
    return project, members, errors


@task("portfolio.import_projects", max_attempts=1)
def import_projects(job: Job, *, path: str, filename: str) -> dict[str, Any]:
    """Import projects from an uploaded sheet; the file is removed afterwards whatever the outcome."""
    return import_sheet(
        job,
        path=path,
        filename=filename,
        importer=project_import,
        done=lambda count: ngettext("%(count)s project imported.", "%(count)s projects imported.", count) % {"count": count},
    )
