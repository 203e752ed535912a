"""What rests on each item, kept as a table (``Reach``): one row per pair (item, item that rests on it,
transitively through "runs on" and "depends on") with the fewest levels between them.

The impact of an item is then an indexed range read instead of a walk over the register: a data centre
that tens of thousands of items rest on is counted, listed nearest first and mapped to its services
from this table in a few milliseconds, whatever the size of the register.

The table is derived data, kept right inside the transaction that changes what it derives from (the
services that save an item or a relation call its ``written``, which calls this module):

- a relation saved (added, changed, archived or restored) changes the reach of its target and of
  everything the target rests on;
- an item archived or restored changes the reach of the item and of everything it rests on (an archived
  item is not reached, nor walked through);
- an item given another type changes the type its rows carry (the impact counts per type from them).

Those roots are found with a walk towards what the changed item rests on (a short walk: an item rests on
few things), and their rows are computed again with the same recursive walk the selectors use. An
import wraps its writes in ``deferred()``, so that every root is computed once at the end; a bulk load
that bypasses the models calls ``rebuild()``. Archived items have no rows of their own: the impact of an
archived item is walked as before.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from regie.configuration.choices import PROPAGATING

#: How deep the table follows; the impact's deepest choice, so every depth a page offers is in the table.
DEPTH = 30
#: Roots computed in one statement.
BATCH = 500
#: Past this many roots to compute after one change, the whole table is built again (it is cheaper).
REBUILD_FROM = 20_000

_state = threading.local()


def _tables() -> tuple[str, str, str]:
    from regie.configuration.models import ConfigurationItem, Reach, Relation

    return Reach._meta.db_table, Relation._meta.db_table, ConfigurationItem._meta.db_table


def _placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def _walk_sql(roots: str, direction: str) -> str:
    """A walk from the roots' rows (``roots`` selects ``(root, first item)`` pairs) over live propagating
    relations, ``direction`` "down" (what rests on the roots) or "up" (what the roots rest on), that does
    not enter archived items; it yields ``walk(root, item, depth)``."""
    _reach, relation, item = _tables()
    far, near = ("source_id", "target_id") if direction == "down" else ("target_id", "source_id")
    kinds = ", ".join(f"'{kind}'" for kind in PROPAGATING)
    live = f"r.kind IN ({kinds}) AND r.archived_at IS NULL AND r.{far} NOT IN (SELECT id FROM gone)"  # noqa: S608
    # As in ``selectors._walk_sql``: the condition also names the walk's row, which keeps SQLite from
    # building a filter over the whole relation table on every walk.
    return f"""WITH RECURSIVE gone(id) AS (SELECT id FROM {item} WHERE archived_at IS NOT NULL),
walk(root, item, depth) AS (
    SELECT r.{near}, r.{far}, 1 FROM {relation} r WHERE r.{near} IN ({roots}) AND {live}
  UNION
    SELECT w.root, r.{far}, w.depth + 1 FROM walk w JOIN {relation} r ON r.{near} = w.item
    WHERE w.depth < {DEPTH} AND ({live} OR w.depth IS NULL)
)"""  # noqa: S608


def _fill_sql(reach: str, roots: str) -> str:
    """The rows of the roots ``roots`` selects, each pair once at its nearest depth."""
    _reach, _relation, item = _tables()
    insert = (
        f"INSERT INTO {reach} (up_id, down_id, depth, down_type_id)"  # noqa: S608
        f" SELECT w.root, w.item, MIN(w.depth), c.item_type_id FROM walk w JOIN {item} c ON c.id = w.item"
        " GROUP BY w.root, w.item, c.item_type_id"
    )
    return _walk_sql(roots, "down") + " " + insert


def resting_on(item_ids: Iterable[int]) -> set[int]:
    """The items themselves and every live item they rest on: the roots whose reach a change at these
    items can change."""
    ids = sorted(set(item_ids))
    found = set(ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        sql = _walk_sql(_placeholders(len(chunk)), "up") + " SELECT DISTINCT item FROM walk"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, chunk)
            found.update(row[0] for row in cursor.fetchall())
    return found


def refresh(roots: Iterable[int]) -> None:
    """Compute the rows of these roots again (live roots only; an archived root keeps none)."""
    reach, _relation, item = _tables()
    ids = sorted(set(roots))
    if len(ids) > REBUILD_FROM:
        rebuild()
        return
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        marks = _placeholders(len(chunk))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Two transactions that change the same roots compute them one after the other.
                cursor.execute(f"SELECT id FROM {item} WHERE id IN ({marks}) ORDER BY id FOR UPDATE", chunk)  # noqa: S608
            cursor.execute(f"DELETE FROM {reach} WHERE up_id IN ({marks})", chunk)  # noqa: S608
            live = f"SELECT id FROM {item} WHERE id IN ({marks}) AND archived_at IS NULL"  # noqa: S608
            cursor.execute(_fill_sql(reach, live), chunk)


def rebuild() -> None:
    """The whole table again, from the relations (after a bulk load, or to repair it)."""
    reach, relation, item = _tables()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # After a bulk load the planner knows nothing of the relations yet, and walks them badly.
            cursor.execute(f"ANALYZE {relation}, {item}")
        cursor.execute(f"DELETE FROM {reach}")  # noqa: S608
        cursor.execute(f"SELECT DISTINCT r.target_id FROM {relation} r ORDER BY 1")  # noqa: S608
        targets = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(targets), BATCH * 10):
        chunk = targets[start : start + BATCH * 10]
        marks = _placeholders(len(chunk))
        live = f"SELECT id FROM {item} WHERE id IN ({marks}) AND archived_at IS NULL"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(_fill_sql(reach, live), chunk)


def changed(item_ids: Iterable[int]) -> None:
    """Something changed at these items (a relation's target, an item archived or restored): their roots
    are computed again now, or at the end of the ``deferred()`` block around the change."""
    pending: list[set[int]] | None = getattr(_state, "pending", None)
    if pending:
        pending[-1].update(item_ids)
    else:
        refresh(resting_on(item_ids))


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the changes of a block (an import) and compute their roots once, when it ends well."""
    stack: list[set[int]] = getattr(_state, "pending", None) or []
    _state.pending = stack
    stack.append(set())
    try:
        yield
        items = stack.pop()
        if stack:
            stack[-1].update(items)
        elif items:
            refresh(resting_on(items))
    except BaseException:
        stack.pop()
        raise


# --- keeping the table right as the models change (``written``, called by the services that save) -----


def relation_written(instance: Any, created: bool) -> None:
    targets = {instance.target_id}
    loaded = getattr(instance, "_loaded_reach", None)
    if loaded is not None:
        if loaded == (instance.target_id, instance.source_id, instance.kind, instance.archived_at):
            return  # only its note changed
        targets.add(loaded[0])
    if created and instance.kind not in PROPAGATING:
        return
    changed(targets)
    instance._loaded_reach = (instance.target_id, instance.source_id, instance.kind, instance.archived_at)


def item_written(instance: Any, created: bool) -> None:
    if created:
        return  # a new item has no relations yet
    if getattr(instance, "_loaded_item_type", "unknown") != instance.item_type_id:
        from regie.configuration.models import Reach

        Reach.objects.filter(down_id=instance.pk).update(down_type_id=instance.item_type_id)
        instance._loaded_item_type = instance.item_type_id
    before = getattr(instance, "_loaded_archived_at", "unknown")
    if before != "unknown" and (before is None) == (instance.archived_at is None):
        return
    changed([instance.pk])
    instance._loaded_archived_at = instance.archived_at
