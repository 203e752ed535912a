"""Demo plans: filled in below."""

from __future__ import annotations

from typing import Any


def load(write: Any) -> None:
    return None
