"""``regie fetch_mail --maildir PATH`` or ``regie fetch_mail --imap HOST --user U --password-env VAR``: read
the service desk's new mail and pass each message to ``cases.mail.receive``. A message is marked read
(moved to ``cur``, flagged \\Seen) only once it is stored, so a crash in between never loses one; reading
it again later is harmless, since the same Message-ID is received only once."""

from __future__ import annotations

import contextlib
import imaplib
import mailbox
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regie.cases import mail
from regie.cases.models import InboundMail

ImapError = imaplib.IMAP4.error


class Command(BaseCommand):
    help = "Read new mail from a Maildir or an IMAP folder: create cases, add replies to them, quarantine the rest."

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--maildir", metavar="PATH", help="a Maildir (with new/, cur/ and tmp/) to read new messages from")
        source.add_argument("--imap", metavar="HOST", help="an IMAP server to read unseen messages from")
        parser.add_argument("--user", help="the IMAP login")
        parser.add_argument("--password-env", metavar="VAR", help="the environment variable holding the IMAP password")
        parser.add_argument("--port", type=int, help="the IMAP port (default 993, or 143 with --no-ssl)")
        parser.add_argument("--folder", default="INBOX", help="the IMAP folder (default INBOX)")
        parser.add_argument("--no-ssl", action="store_true", help="connect without TLS (a local server only)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.counts: Counter[str] = Counter()
        if options["maildir"]:
            for name in ("user", "password_env", "port", "no_ssl"):
                if options.get(name):
                    raise CommandError(f"--{name.replace('_', '-')} is for --imap, not --maildir.")
            self._maildir(Path(options["maildir"]))
        else:
            missing = [f"--{name.replace('_', '-')}" for name in ("user", "password_env") if not options.get(name)]
            if missing:
                raise CommandError(f"--imap needs {' and '.join(missing)}.")
            self._imap(options)
        counts = self.counts
        self.stdout.write(
            f"created: {counts['created']}, added: {counts['added']}, quarantined: {counts['quarantined']}, "
            f"already received: {counts['duplicate']}"
        )
        if counts["failed"]:
            raise CommandError(
                f"{counts['failed']} message(s) could not be stored; they stay unread and are read again next time."
            )

    def _receive(self, raw: bytes, where: str) -> bool:
        """Receive one message; ``False`` (and a line on stderr) when it could not even be stored."""
        try:
            record, new = mail.receive_once(raw)
        except Exception as error:  # noqa: BLE001 - one message that fails must not stop the others
            self.counts["failed"] += 1
            self.stderr.write(f"{where}: not stored: {error}")
            return False
        if not new:
            self.counts["duplicate"] += 1
        else:
            self.counts[record.status] += 1
            if record.status == InboundMail.Status.QUARANTINED:
                self.stderr.write(f"{where}: quarantined: {record.reason}")
        return True

    # --- Maildir ---

    def _maildir(self, path: Path) -> None:
        if not path.is_dir():
            raise CommandError(f"{path}: no such directory.")
        missing = [sub for sub in ("new", "cur", "tmp") if not (path / sub).is_dir()]
        if missing:
            raise CommandError(f"{path}: not a Maildir (no {', '.join(missing)} folder).")
        box = mailbox.Maildir(str(path), factory=None, create=False)
        # The messages not yet read are the files in new/; each is renamed into cur/ once it is stored
        # (renamed, not rewritten: the Maildir class has no public way to do that before Python 3.13).
        waiting = {entry.name.split(box.colon)[0]: entry.name for entry in os.scandir(path / "new") if entry.is_file()}
        for key, name in sorted(waiting.items()):
            try:
                raw = box.get_bytes(key)
            except (KeyError, FileNotFoundError):
                continue  # taken by another reader meanwhile
            if self._receive(raw, f"{path}/new/{name}"):
                with contextlib.suppress(FileNotFoundError):
                    os.rename(path / "new" / name, path / "cur" / f"{key}{box.colon}2,S")

    # --- IMAP ---

    def _imap(self, options: dict[str, Any]) -> None:
        host, user, variable, folder = options["imap"], options["user"], options["password_env"], options["folder"]
        password = os.environ.get(variable)
        if not password:
            raise CommandError(f"The environment variable {variable} holding the IMAP password is not set.")
        ssl = not options["no_ssl"]
        port = options["port"] or (993 if ssl else 143)
        try:
            client = imaplib.IMAP4_SSL(host, port, timeout=60) if ssl else imaplib.IMAP4(host, port, timeout=60)
        except (OSError, ImapError) as error:
            raise CommandError(f"Cannot connect to the IMAP server {host}:{port}: {error}")
        try:
            try:
                client.login(user, password)
            except ImapError as error:
                raise CommandError(f"IMAP login to {host} as {user} failed: {_text(error)}")
            status, _data = client.select(_quoted(folder))
            if status != "OK":
                raise CommandError(f"No IMAP folder {folder!r} on {host}.")
            status, found = client.uid("SEARCH", "UNSEEN")
            if status != "OK":
                raise CommandError(f"Searching {folder!r} on {host} for unseen mail failed.")
            for uid in (found[0] or b"").decode().split():
                raw = self._fetch(client, uid)
                if raw is not None and self._receive(raw, f"{host}/{folder}/{uid}"):
                    client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        except (OSError, ImapError) as error:
            raise CommandError(f"The IMAP server {host} failed: {_text(error)}")
        finally:
            with contextlib.suppress(OSError, ImapError):
                client.logout()

    def _fetch(self, client: imaplib.IMAP4, uid: str) -> bytes | None:
        # BODY.PEEK leaves the message unseen until it is stored.
        status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
        if status == "OK":
            for item in data:
                if isinstance(item, tuple) and len(item) > 1 and isinstance(item[1], bytes):
                    return item[1]
        self.counts["failed"] += 1
        self.stderr.write(f"message {uid}: could not be fetched")
        return None


def _quoted(folder: str) -> str:
    return folder if re.fullmatch(r"[A-Za-z0-9_./-]+", folder) else '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(error: Exception) -> str:
    text = error.args[0] if error.args else error
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
