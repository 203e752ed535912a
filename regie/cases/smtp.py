"""An SMTP entry point for the service desk's mail: each message delivered to it goes to ``mail.receive``
(stored whole, then applied or quarantined), and is acknowledged only once it is stored, so that a
sending server keeps and retries whatever Regie could not take.

Runs with aiosmtpd (``serve``); the handler itself needs nothing of it and can be given to any
aiosmtpd ``Controller``."""

from __future__ import annotations

import logging
import threading
from typing import Any

from asgiref.sync import sync_to_async
from django.db import close_old_connections

from regie.cases import mail

logger = logging.getLogger("regie.cases.mail")


def _receive(raw: bytes, recipients: list[str]) -> None:
    # Runs in a worker thread of a long-lived server: never keep a connection the database has dropped.
    close_old_connections()
    try:
        mail.receive(raw, recipients=recipients)
    finally:
        close_old_connections()


class CaseMailHandler:
    """An aiosmtpd handler: every message received is passed to ``mail.receive``."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            await sync_to_async(_receive, thread_sensitive=False)(raw, list(envelope.rcpt_tos or []))
        except Exception:  # noqa: BLE001 - answer a temporary failure: the sender keeps the mail and tries again
            logger.exception("A message from %s could not be stored", envelope.mail_from)
            return "451 4.3.0 The message could not be stored; try again later"
        return "250 OK"


def serve(host: str = "127.0.0.1", port: int = 8025, *, stop: threading.Event | None = None) -> None:
    """Listen for mail on ``host``:``port`` until ``stop`` is set (or the process is interrupted)."""
    from aiosmtpd.controller import Controller

    controller = Controller(CaseMailHandler(), hostname=host, port=port)
    controller.start()
    logger.info("Receiving mail on %s:%s", host, port)
    try:
        (stop or threading.Event()).wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
