"""The attributes of configuration items: the one place that says what a type's attribute definitions
may contain and whether an item's values fit its type.

A type defines its attributes as a list of ``{"name", "label", "kind", "required", "choices"}``; an item
stores its values as an object keyed by those names. The form, the API, the admin site and the import
all call ``clean_definitions`` and ``clean_values``, so a value is refused with the same words wherever
it was entered, and a refusal always names the attribute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from regie.configuration.choices import AttributeKind

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
#: Column names of the import sheet and the item's own fields: an attribute may not take them.
RESERVED = ("type", "identifier", "name", "domain", "status", "owner_team", "owner_person", "description")
MAX_ATTRIBUTES = 100
MAX_CHOICES = 200
MAX_TEXT = 1000
#: Whole numbers stay within what every JSON reader represents exactly (2**53).
MAX_INTEGER = 9_007_199_254_740_991
MAX_DECIMAL_DIGITS = 20
KEYS = {"name", "label", "kind", "required", "choices"}
TRUE = {"true", "yes", "y", "1", "ja", "j", "x"}
FALSE = {"false", "no", "n", "0", "nee", "nej"}


@dataclass(frozen=True)
class Problem:
    """One attribute's problem: ``name`` is the attribute (or the definition's position), ``text`` says
    what is wrong in words that already name the attribute where the context does not."""

    name: str
    text: str


# --- definitions ----------------------------------------------------------------------------------


def clean_definitions(raw: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """The definitions in their stored form, and the problems found: names are lower-case identifiers,
    unique and not reserved; kinds are known; choices are given for (and only for) choice attributes."""
    if raw in (None, ""):
        return [], []
    if not isinstance(raw, list):
        return [], [_("The attributes must be a list of definitions.")]
    if len(raw) > MAX_ATTRIBUTES:
        return [], [_("A type may define at most %(max)s attributes.") % {"max": MAX_ATTRIBUTES}]
    problems: list[str] = []
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    kinds = ", ".join(AttributeKind.values)
    for position, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            problems.append(_("Attribute %(n)s: write it as an object with a name and a kind.") % {"n": position})
            continue
        name = entry.get("name")
        where = _("Attribute %(n)s (%(name)s)") % {"n": position, "name": name if isinstance(name, str) else "?"}
        unknown = sorted(str(k) for k in entry if k not in KEYS)
        if unknown:
            problems.append(
                _("%(where)s: unknown key(s) %(keys)s; use name, label, kind, required and choices.")
                % {"where": where, "keys": ", ".join(unknown)}
            )
        if not isinstance(name, str) or not NAME.match(name):
            problems.append(
                _(
                    "%(where)s: the name must be a lower-case identifier (letters, digits and underscores, "
                    "starting with a letter, at most 40)."
                )
                % {"where": where}
            )
            continue
        if name in RESERVED:
            problems.append(_("%(where)s: “%(name)s” is the name of an item's own field.") % {"where": where, "name": name})
        if name in seen:
            problems.append(_("%(where)s: the name “%(name)s” is used twice.") % {"where": where, "name": name})
        seen.add(name)
        label = entry.get("label") or name
        if not isinstance(label, str) or len(label) > 100 or "\x00" in label:
            problems.append(_("%(where)s: the label must be text of at most 100 characters.") % {"where": where})
            label = name
        kind = entry.get("kind")
        if kind not in AttributeKind.values:
            problems.append(_("%(where)s: the kind must be one of %(kinds)s.") % {"where": where, "kinds": kinds})
            continue
        required = entry.get("required", False)
        if not isinstance(required, bool):
            problems.append(_("%(where)s: “required” must be true or false.") % {"where": where})
            required = False
        definition: dict[str, Any] = {"name": name, "label": label.strip() or name, "kind": kind, "required": required}
        choices = entry.get("choices")
        if kind == AttributeKind.CHOICE:
            problems.extend(_choice_problems(where, choices))
            definition["choices"] = [c.strip() for c in choices] if isinstance(choices, list) else []
        elif choices not in (None, []):
            problems.append(_("%(where)s: only a choice attribute has choices.") % {"where": where})
        cleaned.append(definition)
    return cleaned, problems


def _choice_problems(where: str, choices: Any) -> list[str]:
    if not isinstance(choices, list) or not choices:
        return [_("%(where)s: a choice attribute needs a list of choices.") % {"where": where}]
    if len(choices) > MAX_CHOICES:
        return [_("%(where)s: at most %(max)s choices.") % {"where": where, "max": MAX_CHOICES}]
    if not all(isinstance(c, str) and c.strip() and len(c) <= 100 and "\x00" not in c for c in choices):
        return [_("%(where)s: every choice must be text of 1 to 100 characters.") % {"where": where}]
    folded = [c.strip().casefold() for c in choices]
    if len(set(folded)) != len(folded):
        return [_("%(where)s: a choice is listed twice.") % {"where": where}]
    return []


# --- values ---------------------------------------------------------------------------------------


def clean_values(type_name: str, definitions: list[dict[str, Any]], raw: Any) -> tuple[dict[str, Any], list[Problem]]:
    """An item's values in their stored form (whole numbers as numbers, decimals as exact text, dates as
    YYYY-MM-DD, yes/no as booleans, choices as the type spells them; empty values left out), and the
    problems: an attribute the type does not define, a value of the wrong kind, a required one missing."""
    if raw in (None, ""):
        raw = {}
    if not isinstance(raw, dict):
        return {}, [Problem("", _("The attributes must be an object of name: value."))]
    problems: list[Problem] = []
    known = {d["name"]: d for d in definitions}
    for name in raw:
        if name not in known:
            problems.append(
                Problem(str(name), _("Unknown attribute '%(name)s' for type %(type)s.") % {"name": name, "type": type_name})
            )
    cleaned: dict[str, Any] = {}
    for definition in definitions:
        name = definition["name"]
        value = raw.get(name)
        if _empty(value):
            if definition.get("required"):
                problems.append(Problem(name, _("'%(name)s' is required for type %(type)s.") % {"name": name, "type": type_name}))
            continue
        try:
            cleaned[name] = convert(definition, value)
        except ValueError as error:
            problems.append(Problem(name, str(error)))
    return cleaned, problems


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def convert(definition: dict[str, Any], value: Any) -> Any:
    """One value in its stored form; ValueError with the reason when it is not of the attribute's kind."""
    kind = definition["kind"]
    shown = _shown(value)
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    if kind == AttributeKind.INTEGER:
        number: Any = value
        whole_float = isinstance(value, float) and value.is_integer()
        if whole_float or (isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,20}\s*", value)):
            number = int(value)
        if isinstance(number, bool) or not isinstance(number, int):
            raise ValueError(_("%(value)s is not a whole number.") % {"value": shown})
        if abs(number) > MAX_INTEGER:
            raise ValueError(_("%(value)s is too large.") % {"value": shown})
        return number
    if kind == AttributeKind.DECIMAL:
        return _decimal(value, shown)
    if kind == AttributeKind.TEXT:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValueError(_("%(value)s is not text.") % {"value": shown})
        text = str(value).strip()
        if len(text) > MAX_TEXT:
            raise ValueError(_("The text is longer than %(max)s characters.") % {"max": MAX_TEXT})
        return text
    if kind == AttributeKind.DATE:
        return _date(value, shown)
    if kind == AttributeKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        word = str(value).strip().casefold() if isinstance(value, (str, int)) else ""
        if word in TRUE:
            return True
        if word in FALSE:
            return False
        raise ValueError(_("%(value)s is not yes or no.") % {"value": shown})
    if kind == AttributeKind.CHOICE:
        choices = definition.get("choices") or []
        if isinstance(value, str):
            for choice in choices:
                if choice.casefold() == value.strip().casefold():
                    return choice
        raise ValueError(_("%(value)s is not one of: %(choices)s.") % {"value": shown, "choices": ", ".join(choices)})
    raise ValueError(_("Unknown kind of attribute."))


def _shown(value: Any) -> str:
    text = str(value)
    return "'" + (text if len(text) <= 40 else text[:37] + "...") + "'"


def _decimal(value: Any, shown: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise ValueError(_("%(value)s is not a number.") % {"value": shown})
    text = str(value).strip()
    if isinstance(value, str):
        text = text.replace(" ", "").replace("\u00a0", "")
        if "," in text and "." in text:
            # 1.250,50 or 1,250.50: the last mark separates the decimals, the other groups thousands.
            decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if decimal_mark == "," else ",", "").replace(",", ".")
        elif "," in text:
            text = text.replace(",", ".")  # a decimal comma, as Dutch and Swedish write it
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?", text):
        raise ValueError(_("%(value)s is not a number.") % {"value": shown})
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("%(value)s is not a number.") % {"value": shown}) from None
    if not number.is_finite() or len(number.as_tuple().digits) > MAX_DECIMAL_DIGITS or abs(number) >= 10**15:
        raise ValueError(_("%(value)s is too large or too precise.") % {"value": shown})
    normal = format(number.normalize(), "f")
    return "0" if normal in ("-0", "+0") else normal


def _date(value: Any, shown: str) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        # A date cell of a workbook reads as "2027-03-31 00:00:00".
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}( 00:00(:00)?)?", text):
            try:
                return date.fromisoformat(text[:10]).isoformat()
            except ValueError:
                pass
    raise ValueError(_("%(value)s is not a date (write it as YYYY-MM-DD).") % {"value": shown})


def display(definition: dict[str, Any], value: Any) -> str:
    """A stored value as a person reads it."""
    if value is None:
        return ""
    if definition.get("kind") == AttributeKind.BOOLEAN:
        return str(_("yes") if value else _("no"))
    return str(value)
