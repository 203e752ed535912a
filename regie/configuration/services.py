"""The rules and writes of the configuration register.

Single records (types, items, relations, supporting items) are written by ``core.services`` (``record_create``,
``record_update``, ``record_archive``), which check the actor's permission and run the model's ``clean``;
the models ask this module for the relation rules. The import writes many items and relations at once,
all or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from regie.configuration import reach, selectors
from regie.configuration.choices import PROPAGATING, ItemStatus, RelationKind
from regie.configuration.models import ConfigurationItem, ItemType, Relation
from regie.core import permissions
from regie.core.models import Domain, Person, Team
from regie.core.services import StaleWrite, claim_version
from regie.core.sheets import ImportRejected, RowError

IMPORT = "configuration.import_configurationitem"


# --- relations ------------------------------------------------------------------------------------


def relation_problems(relation: Relation) -> dict[str, list[str]]:
    """An item does not relate to itself, and a "runs on" or "depends on" relation may not make its
    source depend on itself: if the target already rests (through any chain) on the source, the relation
    is refused, naming the chain."""
    if not relation.source_id or not relation.target_id:
        return {}
    if relation.source_id == relation.target_id:
        return {"target": [_("An item cannot relate to itself.")]}
    if relation.kind not in PROPAGATING:
        return {}
    path = selectors.dependency_path(relation.target_id, relation.source_id, exclude_relation=relation.pk)
    if path is None:
        return {}
    return {"target": [cycle_message(relation.source_id, path)]}


def cycle_message(source_id: int, path: list[int]) -> str:
    """ "X would depend on itself through Y → Z" for a chain Y → Z → X."""
    names = {pk: str(item) for pk, item in ConfigurationItem.objects.in_bulk([source_id, *path]).items()}
    chain = " → ".join(names.get(pk, f"#{pk}") for pk in path[:-1])
    return _("%(item)s would depend on itself through %(chain)s.") % {"item": names.get(source_id, source_id), "chain": chain}


# --- import ---------------------------------------------------------------------------------------

ITEM_COLUMNS: dict[str, tuple[str, ...]] = {
    "type": ("type", "item_type", "type_code", "typ"),
    "identifier": ("identifier", "id", "asset_tag", "host_name", "hostname", "identificatie", "identifierare"),
    "name": ("name", "naam", "namn"),
    "domain": ("domain", "domain_code", "domein", "domän"),
    "status": ("status",),
    "owner_team": ("owner_team", "team", "eigenaar_team", "ägarteam"),
    "owner_person": ("owner_person", "owner", "owner_email", "eigenaar", "ägare"),
    "description": ("description", "omschrijving", "beskrivning"),
}
RELATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "source_type": ("source_type", "from_type", "bron_type", "källtyp"),
    "source_identifier": ("source_identifier", "source", "from", "from_identifier", "bron", "källa"),
    "kind": ("kind", "relation", "relation_kind", "soort", "typ_av_relation"),
    "target_type": ("target_type", "to_type", "doel_type", "måltyp"),
    "target_identifier": ("target_identifier", "target", "to", "to_identifier", "doel", "mål"),
}
#: The sheet's name for a model field, for errors found by the model's own rules.
FIELD_COLUMNS = {"item_type": "type", "owner_team": "owner_team", "owner_person": "owner_person"}
RELATIONS = "relations"


def column_key(header: str) -> str:
    """Headers are matched without regard to case, spaces or dashes: "RAM GB" is ram_gb."""
    return re.sub(r"[\s\-]+", "_", (header or "").strip().lower())


def _aliases(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias: name for name, names in columns.items() for alias in names}


def _status(text: str) -> str | None:
    wanted = " ".join(text.lower().replace("_", " ").split())
    for value, label in ItemStatus.choices:
        if wanted in (value.replace("_", " "), str(label).lower()):
            return value
    return None


def _kind(text: str) -> str | None:
    wanted = " ".join(text.lower().replace("_", " ").split())
    for value, label in RelationKind.choices:
        if wanted in (value.replace("_", " "), str(label).lower(), str(label).lower().removeprefix("is ")):
            return value
    return None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    relations: int = 0
    items: list[ConfigurationItem] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "relations": self.relations}


@dataclass
class _Row:
    line: int
    item: ConfigurationItem
    new: bool
    version: int


def items_import(
    *,
    actor: Any,
    item_rows: list[dict[str, str]],
    relation_rows: list[dict[str, str]] | None = None,
    progress: Callable[[int, int, str], Any] | None = None,
) -> ImportResult:
    """Create and update items (matched by type and identifier) and add relations from sheet rows, all
    or nothing: every row is checked first with the same rules as the form and the API, each problem
    named by its row and column (relations' columns as "relations: <column>"), and nothing is written
    unless every row is right. A relation that is already there is left as it is."""
    if not permissions.holds_anywhere(actor, IMPORT):
        raise PermissionDenied(_("You may not import configuration items."))
    relation_rows = relation_rows or []
    total = max(1, len(item_rows) + len(relation_rows)) * 2
    rows, errors = _check_items(actor, item_rows, progress, total)
    if errors and not rows:
        raise ImportRejected(errors)  # the items sheet's header is wrong: its rows were not read
    by_key = {(r.item.item_type_id, r.item.identifier.lower()): r for r in rows}
    relations, relation_errors = _check_relations(actor, relation_rows, rows, by_key)
    errors.extend(relation_errors)
    if errors:
        raise ImportRejected(errors)
    result = ImportResult()
    done = len(item_rows) + len(relation_rows)
    # The table of what rests on what is computed once, for every root the sheet touches, at the end.
    with transaction.atomic(), reach.deferred():
        for index, row in enumerate(rows):
            row.item._history_user = actor  # type: ignore[attr-defined]
            if row.new:
                row.item.save()
                row.item.written(created=True)
                result.created += 1
            elif _changed(row.item):
                try:
                    claim_version(row.item, row.version)
                except StaleWrite:  # someone saved the item while the sheet was being checked
                    raise ImportRejected(
                        [RowError(row.line, "identifier", _("This item was changed by someone else in the meantime."))]
                    ) from None
                row.item.save()
                row.item.written(created=False)
                result.updated += 1
            else:
                result.unchanged += 1
            result.items.append(row.item)
            if progress and index % 200 == 0:
                progress(done + index, total, _("Saving row %s") % row.line)
        added: list[tuple[int, Relation]] = []
        for line, relation in relations:
            relation.source_id = relation.source.pk
            relation.target_id = relation.target.pk
            relation._history_user = actor  # type: ignore[attr-defined]
            relation.save()
            relation.written(created=True)
            added.append((line, relation))
        result.relations = len(added)
        # With every new relation in place, none may close a cycle (checked inside the transaction, so a
        # refusal writes nothing).
        cycles = []
        for index, (line, relation) in enumerate(added):
            if relation.kind in PROPAGATING:
                path = selectors.dependency_path(relation.target_id, relation.source_id, exclude_relation=relation.pk)
                if path is not None:
                    cycles.append(RowError(line, f"{RELATIONS}: target_identifier", cycle_message(relation.source_id, path)))
            if progress and index % 200 == 0:
                progress(done + len(rows) + index, total, _("Checking relation on row %s") % line)
        if cycles:
            raise ImportRejected(cycles)
    return result


def _changed(item: ConfigurationItem) -> bool:
    original = getattr(item, "_imported_from", None)
    return original != _snapshot(item)


def _snapshot(item: ConfigurationItem) -> tuple[Any, ...]:
    return (
        item.name,
        item.domain_id,
        item.status,
        item.owner_team_id,
        item.owner_person_id,
        item.description,
        sorted((item.attributes or {}).items()),
    )


def _check_items(
    actor: Any, item_rows: list[dict[str, str]], progress: Callable[[int, int, str], Any] | None, total: int
) -> tuple[list[_Row], list[RowError]]:
    aliases = _aliases(ITEM_COLUMNS)
    types = {t.code.lower(): t for t in ItemType.objects.active().visible_to(actor)}
    errors: list[RowError] = []
    if not item_rows:
        return [], []
    header = [column_key(k) for k in item_rows[0]]
    attribute_names = {d["name"] for t in types.values() for d in t.definitions}
    present = {aliases[k] for k in header if k in aliases}
    unknown = [k for k in header if k not in aliases and k not in attribute_names]
    if unknown:
        errors.append(
            RowError(1, ", ".join(unknown), _("Unknown column(s): neither an item's field nor an attribute of a type."))
        )
    for required in ("type", "identifier", "name", "domain"):
        if required not in present:
            errors.append(RowError(1, required, _("This column is required.")))
    if errors:
        return [], errors
    domains = {d.code.lower(): d for d in Domain.objects.active().select_related("scope")}
    teams = {t.code.lower(): t for t in Team.objects.active()}
    people = _people(item_rows, aliases)
    existing = _existing_items(item_rows, aliases, types)
    rows: list[_Row] = []
    seen: dict[tuple[int, str], int] = {}
    for index, raw in enumerate(item_rows):
        line = index + 2
        data: dict[str, str] = {}
        values: dict[str, str] = {}
        for key, value in raw.items():
            name = column_key(key)
            if name in aliases:
                data[aliases[name]] = (value or "").strip()
            elif name:
                values[name] = (value or "").strip()
        row_errors: list[RowError] = []
        item_type = types.get(data.get("type", "").lower())
        if item_type is None:
            row_errors.append(
                RowError(
                    line,
                    "type",
                    _("No item type with code “%s”.") % data.get("type", "") if data.get("type") else _("Give the type's code."),
                )
            )
            errors.extend(row_errors)
            continue
        identifier = data.get("identifier", "")
        item_key = (item_type.pk, identifier.lower())
        current = existing.get(item_key)
        if identifier and item_key in seen:
            row_errors.append(RowError(line, "identifier", _("The same item is on row %s.") % seen[item_key]))
        seen.setdefault(item_key, line)
        item = current or ConfigurationItem(item_type=item_type, identifier=identifier, status=ItemStatus.IN_USE)
        if current is not None:
            item._imported_from = _snapshot(current)  # type: ignore[attr-defined]
            if current.is_archived:
                row_errors.append(RowError(line, "identifier", _("This item is archived; restore it before importing it.")))
            elif not permissions.may(actor, "configuration.change_configurationitem", current):
                row_errors.append(
                    RowError(line, "identifier", _("An item with this identifier exists where you may not change it."))
                )
        version = item.version
        item.name = data.get("name", "")
        domain = domains.get(data.get("domain", "").lower())
        if domain is None:
            row_errors.append(
                RowError(
                    line,
                    "domain",
                    _("No domain with code “%s”.") % data["domain"] if data.get("domain") else _("Give the domain's code."),
                )
            )
        else:
            item.domain = domain
        if data.get("status"):
            status = _status(data["status"])
            if status is None:
                row_errors.append(
                    RowError(line, "status", _("Use one of: %s.") % ", ".join(str(label) for _value, label in ItemStatus.choices))
                )
            else:
                item.status = status
        if "owner_team" in data:
            code = data["owner_team"]
            team = teams.get(code.lower()) if code else None
            if code and team is None:
                row_errors.append(RowError(line, "owner_team", _("No team with code “%s”.") % code))
            item.owner_team = team
        if "owner_person" in data:
            email = data["owner_person"]
            person = people.get(email.lower()) if email else None
            if email and person is None:
                row_errors.append(RowError(line, "owner_person", _("No person with email address “%s”.") % email))
            item.owner_person = person
        if "description" in data:
            item.description = data["description"]
        defined = {d["name"] for d in item_type.definitions}
        attributes = {k: v for k, v in (item.attributes or {}).items() if k in defined} if current else {}
        for name, value in values.items():
            if value:
                attributes[name] = value
            else:
                attributes.pop(name, None)  # an empty cell clears the attribute
        item.attributes = attributes
        try:
            item.full_clean(
                exclude=["item_type", "domain", "owner_team", "owner_person"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = name.removeprefix("attributes.") if name.startswith("attributes.") else FIELD_COLUMNS.get(name, name)
                column = "" if column == NON_FIELD_ERRORS else column
                row_errors.extend(RowError(line, column, m) for m in messages)
        if not row_errors and domain is not None:
            if current is None and not permissions.may(actor, "configuration.add_configurationitem", scope=domain.scope):
                row_errors.append(RowError(line, "domain", _("You may not add items in this domain.")))
            elif current is not None and not permissions.may(actor, "configuration.change_configurationitem", scope=domain.scope):
                row_errors.append(RowError(line, "domain", _("You may not move items to this domain.")))
        errors.extend(row_errors)
        rows.append(_Row(line, item, current is None, version))
        if progress and index % 200 == 0:
            progress(index, total, _("Checking row %s") % line)
    return rows, errors


def _people(item_rows: list[dict[str, str]], aliases: dict[str, str]) -> dict[str, Person]:
    """The people the sheet names as owners, by email address (in batches)."""
    emails = sorted(
        {
            (v or "").strip().lower()
            for raw in item_rows
            for k, v in raw.items()
            if aliases.get(column_key(k)) == "owner_person" and v
        }
    )
    found: dict[str, Person] = {}
    for start in range(0, len(emails), 500):
        for person in Person.objects.active().filter(email__in=emails[start : start + 500]):
            found[(person.email or "").lower()] = person
    if len(found) < len(emails):
        # Addresses are stored as people typed them; look the rest up without regard to case.
        for email in [e for e in emails if e not in found][:500]:
            person = Person.objects.active().filter(email__iexact=email).first()
            if person is not None:
                found[email] = person
    return found


def _existing_items(
    item_rows: list[dict[str, str]], aliases: dict[str, str], types: dict[str, ItemType]
) -> dict[tuple[int, str], ConfigurationItem]:
    """The register's items the sheet names, read in batches (a few queries, not one per row)."""
    wanted: dict[int, set[str]] = {}
    for raw in item_rows:
        data = {aliases[column_key(k)]: (v or "").strip() for k, v in raw.items() if column_key(k) in aliases}
        item_type = types.get(data.get("type", "").lower())
        if item_type is not None and data.get("identifier"):
            wanted.setdefault(item_type.pk, set()).add(data["identifier"].lower())
    found: dict[tuple[int, str], ConfigurationItem] = {}
    for type_id, identifiers in wanted.items():
        names = sorted(identifiers)
        for start in range(0, len(names), 500):
            batch = ConfigurationItem.objects.annotate(key=Lower("identifier")).filter(
                item_type_id=type_id, key__in=names[start : start + 500]
            )
            for item in batch.select_related("item_type", "domain__scope"):
                found[(type_id, item.identifier.lower())] = item
    return found


def _check_relations(
    actor: Any,
    relation_rows: list[dict[str, str]],
    rows: list[_Row],
    by_key: dict[tuple[int, str], _Row],
) -> tuple[list[tuple[int, Relation]], list[RowError]]:
    if not relation_rows:
        return [], []
    aliases = _aliases(RELATION_COLUMNS)
    errors: list[RowError] = []
    header = [column_key(k) for k in relation_rows[0]]
    unknown = [k for k in header if k not in aliases]
    if unknown:
        errors.append(RowError(1, f"{RELATIONS}: " + ", ".join(unknown), _("Unknown column(s).")))
    present = {aliases[k] for k in header if k in aliases}
    for required in RELATION_COLUMNS:
        if required not in present:
            errors.append(RowError(1, f"{RELATIONS}: {required}", _("This column is required.")))
    if errors:
        return [], errors
    types = {t.code.lower(): t for t in ItemType.objects.active().visible_to(actor)}
    parsed = []
    wanted: dict[int, set[str]] = {}
    for index, raw in enumerate(relation_rows):
        data = {aliases[column_key(k)]: (v or "").strip() for k, v in raw.items() if column_key(k) in aliases}
        parsed.append((index + 2, data))
        for end in ("source", "target"):
            item_type = types.get(data.get(f"{end}_type", "").lower())
            if item_type is not None and data.get(f"{end}_identifier"):
                wanted.setdefault(item_type.pk, set()).add(data[f"{end}_identifier"].lower())
    registered: dict[tuple[int, str], ConfigurationItem] = {}
    visible = ConfigurationItem.objects.active().visible_to(actor)
    for type_id, identifiers in wanted.items():
        names = sorted(identifiers)
        for start in range(0, len(names), 500):
            batch = visible.annotate(key=Lower("identifier")).filter(item_type_id=type_id, key__in=names[start : start + 500])
            for item in batch.select_related("domain__scope"):
                registered[(type_id, item.identifier.lower())] = item
    found: list[tuple[int, Relation]] = []
    seen: dict[tuple[Any, ...], int] = {}
    pairs: list[tuple[int, int, str]] = []
    for line, data in parsed:
        row_errors: list[RowError] = []
        ends: dict[str, ConfigurationItem | None] = {}
        for end in ("source", "target"):
            code, identifier = data.get(f"{end}_type", ""), data.get(f"{end}_identifier", "")
            item_type = types.get(code.lower())
            if item_type is None:
                row_errors.append(RowError(line, f"{RELATIONS}: {end}_type", _("No item type with code “%s”.") % code))
                ends[end] = None
                continue
            key = (item_type.pk, identifier.lower())
            in_sheet = by_key.get(key)
            ends[end] = in_sheet.item if in_sheet is not None else registered.get(key)
            if ends[end] is None:
                row_errors.append(
                    RowError(
                        line,
                        f"{RELATIONS}: {end}_identifier",
                        _("No %(type)s “%(identifier)s” in the register or on the items sheet.")
                        % {"type": item_type.name, "identifier": identifier},
                    )
                )
        kind = _kind(data.get("kind", ""))
        if kind is None:
            row_errors.append(
                RowError(
                    line,
                    f"{RELATIONS}: kind",
                    _("Use one of: %s.") % ", ".join(value for value, _label in RelationKind.choices),
                )
            )
        source, target = ends.get("source"), ends.get("target")
        if source is not None and target is not None and kind is not None:
            if source is target or (source.pk and source.pk == target.pk):
                row_errors.append(RowError(line, f"{RELATIONS}: target_identifier", _("An item cannot relate to itself.")))
            key3 = (id(source), id(target), kind)
            if key3 in seen:
                row_errors.append(
                    RowError(line, f"{RELATIONS}: source_identifier", _("The same relation is on row %s.") % seen[key3])
                )
            seen.setdefault(key3, line)
            if not permissions.may(actor, "configuration.add_relation", scope=source.domain.scope):
                row_errors.append(
                    RowError(line, f"{RELATIONS}: source_identifier", _("You may not add relations in this item's domain."))
                )
            if not row_errors:
                found.append((line, Relation(source=source, target=target, kind=kind)))
                if source.pk and target.pk:
                    pairs.append((source.pk, target.pk, kind))
        errors.extend(row_errors)
    # Relations already in the register are left alone (importing the same sheet twice changes nothing);
    # an archived one is restored by hand, not silently.
    known = _known_relations(pairs)
    kept: list[tuple[int, Relation]] = []
    for line, relation in found:
        state = (
            known.get((relation.source.pk, relation.target.pk, relation.kind))
            if relation.source.pk and relation.target.pk
            else None
        )
        if state == "archived":
            errors.append(
                RowError(
                    line, f"{RELATIONS}: kind", _("This relation exists but is archived; restore it instead of importing it.")
                )
            )
        elif state is None:
            kept.append((line, relation))
    return kept, errors


def _known_relations(pairs: list[tuple[int, int, str]]) -> dict[tuple[int, int, str], str]:
    known: dict[tuple[int, int, str], str] = {}
    sources = sorted({s for s, _t, _k in pairs})
    wanted = set(pairs)
    for start in range(0, len(sources), 500):
        rows = Relation.objects.filter(source_id__in=sources[start : start + 500]).values_list(
            "source_id", "target_id", "kind", "archived_at"
        )
        for source, target, kind, archived_at in rows:
            if (source, target, kind) in wanted:
                known[(source, target, kind)] = "archived" if archived_at else "active"
    return known
