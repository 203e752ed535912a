"""Fail when a Dutch or Swedish catalogue has an untranslated or fuzzy entry (``make messages-check``)."""

from __future__ import annotations

import sys
from pathlib import Path

import polib  # type: ignore[import-untyped]

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("nl", "sv")


def problems() -> list[str]:
    found = []
    for language in LANGUAGES:
        for domain in ("django", "djangojs"):
            path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
            if not path.exists():
                if domain == "django":
                    found.append(f"{path}: missing")
                continue
            catalogue = polib.pofile(str(path))
            for entry in catalogue:
                if entry.obsolete:
                    continue
                if "fuzzy" in entry.flags:
                    found.append(f"{path}: fuzzy: {entry.msgid!r}")
                elif not entry.translated():
                    found.append(f"{path}: untranslated: {entry.msgid!r}")
    return found


def main() -> None:
    found = problems()
    for line in found:
        print(line)
    if found:
        sys.exit(1)
    print("Translation catalogues are complete.")


if __name__ == "__main__":
    main()
