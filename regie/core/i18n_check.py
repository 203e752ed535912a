"""Fail when a Dutch or Swedish catalogue has an untranslated or fuzzy entry, or its compiled .mo file
lags behind it (``make messages-check`` and the test suite)."""

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
            compiled_path = path.with_suffix(".mo")
            if not compiled_path.exists():
                found.append(f"{compiled_path}: missing (run make messages)")
            else:
                compiled = {(e.msgid, e.msgstr) for e in polib.mofile(str(compiled_path)) if not e.msgid_plural}
                stale = [
                    e.msgid for e in catalogue.translated_entries() if not e.msgid_plural and (e.msgid, e.msgstr) not in compiled
                ]
                if stale:
                    found.append(f"{compiled_path}: out of date with the .po file for {stale[0]!r} (run make messages)")
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
