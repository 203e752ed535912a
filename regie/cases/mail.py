"""Email in and out for cases.

**In** (``receive``): every message is stored whole first (``InboundMail``), then applied in one
transaction. A reply threads onto its case when it refers to a Message-ID Regie sent for the case (the
id carries an HMAC of the case's key, so a made-up reference is detected) or when its subject carries
the case's number and the sender is the case's requester or works on it; the comment is added through
``case_comment`` on the sender's behalf. Any other mail from a known person logs an incident against the
service its mailbox routes to (``REGIE_MAIL_ROUTES``, else ``REGIE_MAIL_DEFAULT_SERVICE``) through
``case_register``. Whatever cannot be applied (an unknown sender, a forged or unknown case reference, no
service for the address, an attachment over ``REGIE_MAIL_MAX_ATTACHMENT``, a refusal or error of the
service) is quarantined with the reason and nothing is written to a case: a received message is never
lost, and a bad one never stops the reader. Receiving the same Message-ID again changes nothing.

**Out** (``notify_event``): the requester is told by email when their case is logged, when its state
changes and when someone else comments, once per event, with a Message-ID that replies thread back on.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage as ParsedMessage
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from regie.cases import services, workflows
from regie.cases.choices import PREFIX, CaseKind, EventKind
from regie.cases.models import Case, CaseAttachment, CaseEvent, InboundMail
from regie.core.models import Person

logger = logging.getLogger("regie.cases.mail")

THREAD_SALT = "regie.cases.mail.thread"
DEFAULT_MAX_ATTACHMENT = 10 * 1024 * 1024
#: The events the requester is told about by email.
NOTIFIED = (EventKind.CREATED, EventKind.STATE, EventKind.COMMENT, EventKind.MAIL_IN)

# A Message-ID Regie made for a case: <case-{pk}-{token}@domain> or <case-{pk}-{token}-{event}.{random}@domain>.
_CASE_REFERENCE = re.compile(r"^<case-(\d{1,18})-([^-.@>]*)[^@>]*@[^>]*>$", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_PREFIXES = "|".join(PREFIX.values())
_SUBJECT_NUMBER = re.compile(rf"\[\s*((?:{_PREFIXES})-\d{{1,18}})\s*\]", re.IGNORECASE)


class Quarantine(Exception):
    """A mail that cannot be applied; the message is the reason kept with it."""


# --- threading ids ---------------------------------------------------------------------------------


def case_token(case_pk: int) -> str:
    """The part of a case's Message-IDs only Regie can make: an HMAC of the case's key with SECRET_KEY."""
    return salted_hmac(THREAD_SALT, str(case_pk)).hexdigest()[:20]


def _domain() -> str:
    _name, address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))
    return address.rpartition("@")[2] or "regie"


def _own_address() -> str:
    return parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1].lower()


def case_message_id(case: Case, event: CaseEvent) -> str:
    """A new Message-ID for a notification about ``event`` that a reply can be threaded back from."""
    return f"<case-{case.pk}-{case_token(case.pk)}-{event.pk}.{secrets.token_hex(6)}@{_domain()}>"


# --- parsing ---------------------------------------------------------------------------------------


def _parse(raw: bytes) -> ParsedMessage:
    return cast(ParsedMessage, BytesParser(policy=policy.default).parsebytes(raw))


def _header(message: Message, name: str) -> str:
    """A header's decoded value; the raw value when the header is too malformed to decode."""
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a malformed header must not stop the mail
        value = next((raw for key, raw in message.raw_items() if key.lower() == name.lower()), None)
    return " ".join(str(value or "").split())


def _all_headers(message: Message, name: str) -> list[str]:
    try:
        values = message.get_all(name) or []
    except Exception:  # noqa: BLE001
        values = [raw for key, raw in message.raw_items() if key.lower() == name.lower()]
    return [str(value) for value in values]


def _message_id(message: Message, raw: bytes) -> str:
    value = _header(message, "Message-ID")
    found = _MESSAGE_ID.search(value)
    message_id = found.group(0) if found else value
    if not message_id or len(message_id) > 500:
        # Without a usable id the content is the identity: the same bytes delivered again are the same mail.
        message_id = f"<{hashlib.sha256(raw).hexdigest()}@regie>"
    return message_id


def _sender(message: Message) -> str:
    address = parseaddr(_header(message, "From"))[1].strip()
    return address if "@" in address and len(address) <= 254 else ""


def _references(message: Message) -> list[str]:
    """The ids the mail answers, the nearest first: In-Reply-To, then References from the last."""
    replying = _MESSAGE_ID.findall(_header(message, "In-Reply-To"))
    referenced = _MESSAGE_ID.findall(_header(message, "References"))
    return replying + referenced[::-1]


class _HtmlText(HTMLParser):
    """The text of an HTML body: no scripts or styles, blocks on their own lines, quotes marked with
    "> " so that a reply's quoted part is recognised as in a plain-text mail."""

    BLOCKS = frozenset(
        {"address", "article", "br", "dd", "div", "dl", "dt", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header"}
        | {"hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul"}
    )
    HIDDEN = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.quoted = 0
        self.preformatted = 0

    def _newline(self) -> None:
        self.parts.append("\n" + "> " * self.quoted)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "blockquote":
            self.quoted += 1
            self._newline()
        elif tag in self.BLOCKS:
            self.preformatted += tag == "pre"
            self._newline()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "blockquote":
            self.quoted = max(0, self.quoted - 1)
            self._newline()
        elif tag in self.BLOCKS:
            if tag == "pre":
                self.preformatted = max(0, self.preformatted - 1)
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.preformatted:
            self.parts.append(data.replace("\n", "\n" + "> " * self.quoted))
        else:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(markup: str) -> str:
    """Plain text from HTML by dropping the tags (the standard library's parser; nothing is rendered)."""
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    return _tidy("".join(parser.parts))


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(line if line.strip(" >") else line.strip() for line in lines))
    return tidy.strip()


def _part_text(part: Message) -> str:
    try:
        content = cast(ParsedMessage, part).get_content()
    except Exception:  # noqa: BLE001 - an unknown charset or a broken encoding: read what there is
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload or "")
    return content if isinstance(content, str) else ""


def message_text(message: ParsedMessage) -> str:
    """The mail's text: its plain-text body, else its HTML body without the tags."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = _part_text(body)
    return html_to_text(text) if body.get_content_type() == "text/html" else _tidy(text)


_ATTRIBUTION_END = re.compile(r"(wrote|schreef|skrev|schrieb|a écrit)\s*:\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(r"^(on|op|den|am|le)\s", re.IGNORECASE)
_ORIGINAL = re.compile(r"^(-{2,}\s*(original message|oorspronkelijk bericht|ursprungligt meddelande)\s*-{2,}|_{20,})$", re.I)


def strip_quoted(text: str) -> str:
    """A reply without what it quotes: no "> " lines, nothing from an "Original Message" separator on,
    and no "On … wrote:" line above the quote."""
    kept: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if _ORIGINAL.match(stripped):
            break
        if not stripped.startswith(">"):
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    if kept and _ATTRIBUTION_END.search(kept[-1]):
        last = kept.pop()
        if not _ATTRIBUTION_START.match(last.strip()) and kept and _ATTRIBUTION_START.match(kept[-1].strip()):
            kept.pop()
    return _tidy("\n".join(kept))


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


def _parts(part: Message) -> Iterator[Message]:
    """The leaves of the MIME tree; an attached email is one leaf, not opened."""
    if part.get_content_type() == "message/rfc822" and part.get_content_disposition() == "attachment":
        yield part
    elif part.is_multipart():
        for sub in cast(ParsedMessage, part).iter_parts():
            yield from _parts(sub)
    else:
        yield part


def _safe_name(name: str) -> str:
    name = "".join(c for c in name if c.isprintable()).replace("\\", "/").rsplit("/", 1)[-1]
    try:
        clean = get_valid_filename(name)
    except SuspiciousFileOperation:
        clean = "attachment"
    if len(clean) > 80:  # the storage path (cases/YYYY/MM/…) must fit the field's 100 characters
        stem, dot, extension = clean.rpartition(".")
        extension = extension[:10] if dot else ""
        clean = (stem if dot else clean)[: 79 - len(extension)] + (f".{extension}" if extension else "")
    return clean


def attachments_of(message: Message) -> list[Attachment]:
    """Every part that is not inline and has a file name (an attached email as a .eml file)."""
    found = []
    for part in _parts(message):
        filename = part.get_filename()
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner and isinstance(inner[0], Message) else b""
            filename = filename or "message.eml"
        else:
            if not filename or part.get_content_disposition() == "inline":
                continue
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
        found.append(Attachment(_safe_name(filename), part.get_content_type()[:200], data))
    return found


def max_attachment() -> int:
    return int(getattr(settings, "REGIE_MAIL_MAX_ATTACHMENT", DEFAULT_MAX_ATTACHMENT))


# --- receiving -------------------------------------------------------------------------------------


def receive(raw: bytes, *, received_at: Any = None, recipients: Iterable[str] = ()) -> InboundMail:
    """Store the message and apply it (see the module's docstring); the same Message-ID again returns
    the stored record and changes nothing. ``recipients`` are the SMTP envelope's, where known."""
    return receive_once(raw, received_at=received_at, recipients=recipients)[0]


def receive_once(raw: bytes, *, received_at: Any = None, recipients: Iterable[str] = ()) -> tuple[InboundMail, bool]:
    """``receive``, and whether the message was new."""
    message = _parse(raw)
    message_id = _message_id(message, raw)
    existing = InboundMail.objects.filter(message_id=message_id).first()
    if existing is not None:
        return existing, False
    mail = _store(raw, message, message_id, received_at)
    if mail is None:  # delivered twice at once: the other delivery stored it
        return InboundMail.objects.get(message_id=message_id), False
    _apply_safely(mail, message, list(recipients))
    return mail, True


def _store(raw: bytes, message: Message, message_id: str, received_at: Any) -> InboundMail | None:
    """Keep the message before anything else, quarantined until it has been applied: if applying it
    never finishes, it is there for someone to look at."""
    mail = InboundMail(
        message_id=message_id,
        sender=_sender(message),
        subject=_header(message, "Subject")[:500],
        received_at=received_at or timezone.now(),
        status=InboundMail.Status.QUARANTINED,
        reason=_("not processed yet"),
    )
    mail.raw.save(f"{hashlib.sha256(raw).hexdigest()[:40]}.eml", ContentFile(raw), save=False)
    try:
        with transaction.atomic():
            mail.save()
    except IntegrityError:
        mail.raw.storage.delete(mail.raw.name)
        return None
    return mail


def _apply_safely(mail: InboundMail, message: ParsedMessage, recipients: list[str]) -> None:
    stored: list[CaseAttachment] = []
    try:
        with transaction.atomic():
            status, case = _apply(mail, message, recipients, stored)
            mail.status, mail.case, mail.reason = status, case, ""
            mail.save(update_fields=["status", "case", "reason"])
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the mail stays kept and is quarantined
        if not isinstance(error, Quarantine):
            logger.exception("Email %s could not be applied; it is quarantined", mail.message_id)
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        reason = " ".join(_error_text(error).split())
        mail.status, mail.case, mail.reason = InboundMail.Status.QUARANTINED, None, reason[:300]
        mail.save(update_fields=["status", "case", "reason"])


def _error_text(error: Exception) -> str:
    messages = getattr(error, "messages", None)
    if messages and not isinstance(error, Quarantine):
        return "; ".join(str(message) for message in messages)
    return str(error) or error.__class__.__name__


def _apply(mail: InboundMail, message: ParsedMessage, recipients: list[str], stored: list[CaseAttachment]) -> tuple[str, Case]:
    sender = mail.sender
    if sender and sender.lower() == _own_address():
        raise Quarantine(_("sent by Regie itself"))
    if _header(message, "Auto-Submitted").lower().startswith("auto-replied"):
        raise Quarantine(_("automatic reply"))
    person = _person(sender)
    attachments = attachments_of(message)
    limit = max_attachment()
    for attachment in attachments:
        if len(attachment.data) > limit:
            raise Quarantine(
                _("attachment too large: %(name)s, %(size)s bytes") % {"name": attachment.name, "size": len(attachment.data)}
            )
    text = message_text(message)
    case = _referenced_case(message, mail.subject)
    if case is not None:
        note = strip_quoted(text) or ", ".join(attachment.name for attachment in attachments)
        try:
            event = services.case_comment(actor=None, case=case, person=person, note=note, kind=EventKind.MAIL_IN)
        except PermissionDenied:
            raise Quarantine(_("forged or unknown case reference")) from None
        status = InboundMail.Status.ADDED
    else:
        service = _service_for(message, recipients)
        try:
            case = services.case_register(
                actor=None,
                kind=CaseKind.INCIDENT,
                service=service,
                title=mail.subject[:200] or _("(no subject)"),
                description=text,
                requester=person,
                requester_email=sender,
            )
        except PermissionDenied as error:
            raise Quarantine(str(error) or _("the sender may not log cases for this service")) from None
        created = case.events.filter(kind=EventKind.CREATED).order_by("id").first()
        assert created is not None
        event = created
        status = InboundMail.Status.CREATED
    for attachment in attachments:
        record = CaseAttachment(
            case=case, event=event, name=attachment.name, size=len(attachment.data), content_type=attachment.content_type
        )
        record.file.save(attachment.name, ContentFile(attachment.data), save=False)
        stored.append(record)
        record.save()
    return status, case


def _person(sender: str) -> Person:
    if not sender:
        raise Quarantine(_("unknown sender"))
    people = list(Person.objects.active().filter(email__iexact=sender)[:2])
    if len(people) != 1:
        raise Quarantine(_("unknown sender") if not people else _("more than one person has this address"))
    return people[0]


def _referenced_case(message: Message, subject: str) -> Case | None:
    """The case a reply belongs to: by a Message-ID Regie made for it (any made-up one quarantines the
    mail), else by the number in the subject; ``None`` for a mail that refers to no case."""
    found: int | None = None
    for reference in _references(message):
        match = _CASE_REFERENCE.match(reference)
        if match is None:
            continue
        pk, token = int(match.group(1)), match.group(2)
        if not constant_time_compare(token, case_token(pk)):
            raise Quarantine(_("forged or unknown case reference"))
        found = pk if found is None else found
    if found is not None:
        case = Case.objects.filter(pk=found).select_related("team").first()
    else:
        number = _SUBJECT_NUMBER.search(subject)
        if number is None:
            return None
        case = Case.objects.filter(number=number.group(1).upper()).select_related("team").first()
    if case is None:
        raise Quarantine(_("forged or unknown case reference"))
    return case


def _addressed_to(message: Message, recipients: list[str]) -> list[str]:
    headers = [value for name in ("Delivered-To", "X-Original-To", "To", "Cc") for value in _all_headers(message, name)]
    return list(recipients) + [address for _name, address in getaddresses(headers) if address]


def _service_for(message: Message, recipients: list[str]) -> Any:
    from regie.services.models import Service

    routes = {str(address).lower(): code for address, code in getattr(settings, "REGIE_MAIL_ROUTES", {}).items()}
    code = next((routes[a.lower()] for a in _addressed_to(message, recipients) if a.lower() in routes), None)
    code = code or getattr(settings, "REGIE_MAIL_DEFAULT_SERVICE", "")
    service = Service.objects.active().filter(code=code).first() if code else None
    if service is None:
        raise Quarantine(_("no service for this address"))
    return service


# --- sending ---------------------------------------------------------------------------------------


def notify_event(event: CaseEvent) -> CaseEvent | None:
    """Tell the case's requester about the event by email, when it is one they are told about."""
    return notify(event.case, event)


def notify(case: Case, event: CaseEvent) -> CaseEvent | None:
    """Email the requester that their case was logged, changed state, or got a comment from someone
    else; once per event (a second call sends nothing). Recorded as a ``mail_out`` event and sent when
    the transaction commits. Returns that event, or ``None`` when there is nothing to send."""
    if event.kind not in NOTIFIED:
        return None
    requester = case.requester
    address = (requester.email if requester is not None and not requester.is_archived else "") or case.requester_email
    if not address:
        return None
    if event.kind in (EventKind.COMMENT, EventKind.MAIL_IN) and _by_requester(case, event, address):
        return None
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()  # one notification per event, even at once
        if CaseEvent.objects.filter(case=case, kind=EventKind.MAIL_OUT, data__event=event.pk).exists():
            return None
        first = CaseEvent.objects.filter(case=case, kind=EventKind.MAIL_OUT).order_by("at", "id").first()
        thread = str(first.data.get("message_id", "")) if first is not None else ""
        message_id = case_message_id(case, event)
        subject = " ".join(f"[{case.number}] {case.title}".split())
        with translation.override(getattr(requester, "language", None) or settings.LANGUAGE_CODE):
            body = render_to_string("cases/email/update.txt", _context(case, event, requester))
        headers = {"Message-ID": message_id, "Auto-Submitted": "auto-generated"}
        if thread:
            headers |= {"In-Reply-To": thread, "References": thread}
        reply_to = _mailbox_of(case)
        email = EmailMessage(subject, body, None, [address], headers=headers, reply_to=[reply_to] if reply_to else None)
        record = CaseEvent.objects.create(
            case=case,
            kind=EventKind.MAIL_OUT,
            at=timezone.now(),
            state=case.state,
            note=subject,
            data={"message_id": message_id, "to": address, "event": event.pk},
        )
        transaction.on_commit(lambda: _send(email, case))
    return record


def _send(email: EmailMessage, case: Case) -> None:
    try:
        email.send()
    except Exception:  # noqa: BLE001 - a mail server down must not undo or break the write that caused it
        logger.exception("Sending the notification about %s to %s failed", case.number, ", ".join(email.to))


def _author(event: CaseEvent) -> Person | None:
    person_pk = (event.data or {}).get("person")
    if person_pk:
        return Person.objects.filter(pk=person_pk).first()
    actor = event.actor
    return getattr(actor, "person", None) if actor is not None else None


def _by_requester(case: Case, event: CaseEvent, address: str) -> bool:
    author = _author(event)
    if author is None:
        return False
    return (case.requester_id is not None and author.pk == case.requester_id) or (author.email or "").lower() == address.lower()


def _mailbox_of(case: Case) -> str:
    """The mailbox that routes to the case's service, so that replies reach it."""
    routes = getattr(settings, "REGIE_MAIL_ROUTES", {})
    return next((str(address) for address, code in routes.items() if code == case.service.code), "")


def _context(case: Case, event: CaseEvent, requester: Person | None) -> dict[str, Any]:
    state = ""
    if event.state:
        try:
            state = workflows.display_label(case.workflow_version.parsed().state(event.state).label)
        except KeyError:
            state = event.state
    author = _author(event)
    return {
        "case": case,
        "event": event,
        "kind": event.kind,
        "person": requester,
        "process": CaseKind(case.kind).label,
        "state": state,
        "author": author or (event.actor if event.actor is not None else ""),
        "url": settings.REGIE_BASE_URL.rstrip("/") + case.get_absolute_url(),
    }
