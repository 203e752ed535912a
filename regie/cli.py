"""The ``regie`` command: ``regie run``, ``regie demo``, ``regie worker``, ``regie createadmin`` and every
manage.py command."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regie.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["regie", *argv])
    args[0] = "regie"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
