"""Lookups the database layer lacks.

``field__any_of=ids``: the same rows as ``field__in=ids``. On PostgreSQL it is sent as ``field = ANY(%s)``
with the ids as one array: a query that reads a batch of a thousand ids then has one placeholder
rather than a thousand, so its text stays short and the same from batch to batch (psycopg parses a
long text again at every call, and the server sees one statement instead of many)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any_of"

    def get_prep_lookup(self) -> Any:
        # Ids (the case this lookup is for) need no preparing one by one.
        if isinstance(self.rhs, list | tuple) and all(type(value) is int for value in self.rhs):
            return list(self.rhs)
        return super().get_prep_lookup()

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [value for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s)", [*lhs_params, values]


models.Field.register_lookup(AnyOf)
models.ForeignObject.register_lookup(AnyOf)  # a relation's lookups are its own, not its base field's
