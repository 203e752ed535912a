"""Email in and out for cases: a mail from a customer logs an incident against the service its mailbox
routes to, a reply threads onto its case by a Message-ID Regie made or by the number in its subject (only
from someone on the case), and whatever cannot be applied is kept and quarantined with the reason. The
Maildir and IMAP readers and the SMTP entry point all go through ``receive``; the requester is told about
their case by email, and a reply to that email threads back."""

from __future__ import annotations

import email.utils
import imaplib
import mailbox
import smtplib
import socket
from email.message import EmailMessage
from io import StringIO
from typing import Any

import pytest
from django.core import mail as outbox
from django.core.management import CommandError, call_command
from django.test import override_settings

from regie.cases import mail, services
from regie.cases.choices import EventKind
from regie.cases.models import Case, CaseAttachment, CaseEvent, InboundMail
from regie.core.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

DESK = "servicedesk@northbridge.example"
ROUTES = {DESK: "WPL"}


@pytest.fixture
def people(desk):
    """The desk's requester, engineer and outsider, with email addresses."""
    for who in ("requester", "engineer", "outsider"):
        person = desk.person(who)
        person.email = f"{who}@northbridge.example"
        person.save()
    return desk


def message(
    sender: str = "requester@northbridge.example",
    subject: str = "Printer on floor 3 jams",
    body: str = "It jams on every second page.",
    *,
    to: str = DESK,
    message_id: str | None = "auto",
    in_reply_to: str | None = None,
    references: str | None = None,
    attachments: tuple[tuple[str, bytes], ...] = (),
    html: str | None = None,
) -> bytes:
    built = EmailMessage()
    built["From"] = sender
    built["To"] = to
    built["Subject"] = subject
    if message_id == "auto":
        built["Message-ID"] = email.utils.make_msgid(domain="mail.example")
    elif message_id:
        built["Message-ID"] = message_id
    if in_reply_to:
        built["In-Reply-To"] = in_reply_to
    if references:
        built["References"] = references
    if html is not None:
        built.set_content(html, subtype="html")
    else:
        built.set_content(body)
    for name, data in attachments:
        built.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return built.as_bytes()


def receive(raw: bytes) -> InboundMail:
    with override_settings(REGIE_MAIL_ROUTES=ROUTES):
        return mail.receive(raw)


def logged(desk) -> Case:
    return services.case_register(
        actor=desk.users["requester"], kind="incident", service=desk.service, title="Laptop cannot reach mail"
    )


def stored_raw(record: InboundMail) -> bytes:
    with record.raw.open("rb") as handle:
        return handle.read()


# --- inbound ---------------------------------------------------------------------------------------


def test_a_mail_from_the_requester_logs_an_incident_with_its_text_and_attachment(people):
    raw = message(attachments=(("../../error log.txt", b"paper jam at tray 2"),))
    record = receive(raw)
    assert (record.status, record.reason, record.sender) == ("created", "", "requester@northbridge.example")
    case = record.case
    assert case is not None
    assert (case.kind, case.service, case.title, case.requester, case.requester_email) == (
        "incident",
        people.service,
        "Printer on floor 3 jams",
        people.person("requester"),
        "requester@northbridge.example",
    )
    assert case.description == "It jams on every second page."
    assert case.number == f"INC-{case.pk:06d}"
    attachment = CaseAttachment.objects.get(case=case)
    assert (attachment.name, attachment.size, attachment.event.kind) == ("error_log.txt", 19, EventKind.CREATED)
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"paper jam at tray 2"
    assert stored_raw(record) == raw


def test_the_same_mail_again_adds_nothing(people):
    raw = message(attachments=(("photo.jpg", b"jpeg"),))
    first = receive(raw)
    again, new = mail.receive_once(raw)
    assert (again.pk, new) == (first.pk, False)
    assert (Case.objects.count(), CaseAttachment.objects.count(), InboundMail.objects.count()) == (1, 1, 1)


def test_a_mail_without_message_id_is_known_by_its_content(people):
    raw = message(message_id=None)
    first = receive(raw)
    assert first.message_id.endswith("@regie>")
    assert receive(raw).pk == first.pk
    assert Case.objects.count() == 1


def test_an_unknown_sender_is_quarantined_and_kept(people):
    raw = message(sender="stranger@elsewhere.example")
    record = receive(raw)
    assert (record.status, record.reason, record.case) == ("quarantined", "unknown sender", None)
    assert Case.objects.count() == 0
    assert stored_raw(InboundMail.objects.get()) == raw


def test_a_sender_who_is_no_customer_of_the_service_is_quarantined(people):
    record = receive(message(sender="outsider@northbridge.example"))
    assert record.status == "quarantined"
    assert "may not log cases" in record.reason
    assert Case.objects.count() == 0


def test_the_sender_is_found_whatever_the_case_of_the_address(people):
    assert receive(message(sender="Requester@NorthBridge.example")).status == "created"


def test_a_mailbox_without_route_or_default_is_quarantined(people):
    record = receive(message(to="someone-else@northbridge.example"))
    assert (record.status, record.reason) == ("quarantined", "no service for this address")
    with override_settings(REGIE_MAIL_ROUTES={}, REGIE_MAIL_DEFAULT_SERVICE="WPL"):
        assert mail.receive(message(to="someone-else@northbridge.example")).status == "created"


def test_an_attachment_over_the_limit_quarantines_the_whole_mail(people):
    raw = message(attachments=(("small.txt", b"ok"), ("dump.bin", b"x" * 2000)))
    with override_settings(REGIE_MAIL_MAX_ATTACHMENT=1000):
        record = receive(raw)
    assert (record.status, record.reason) == ("quarantined", "attachment too large: dump.bin, 2000 bytes")
    assert (Case.objects.count(), CaseAttachment.objects.count(), CaseEvent.objects.count()) == (0, 0, 0)
    assert stored_raw(record) == raw


def test_a_mail_the_service_fails_on_is_kept_and_quarantined(people, monkeypatch):
    def broken(**arguments: Any) -> Case:
        raise RuntimeError("the database is on fire")

    monkeypatch.setattr(services, "case_register", broken)
    record = receive(message())
    assert (record.status, record.reason) == ("quarantined", "the database is on fire")
    assert InboundMail.objects.get().status == "quarantined"


def test_a_failure_after_the_case_was_logged_writes_nothing(people, monkeypatch):
    def broken(*arguments: Any, **keywords: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(CaseAttachment, "save", broken)
    record = receive(message(attachments=(("a.txt", b"a"),)))
    assert (record.status, record.reason, record.case) == ("quarantined", "disk full", None)
    assert (Case.objects.count(), CaseEvent.objects.count()) == (0, 0)


def test_an_html_only_mail_gives_its_text_without_markup(people):
    html = (
        "<html><head><style>p {color: red}</style></head><body><p>The <b>screen</b> &amp; keyboard</p>"
        "<script>alert(1)</script><p>are dead.</p></body></html>"
    )
    case = receive(message(html=html)).case
    assert case is not None
    assert case.description == "The screen & keyboard\n\nare dead."


# --- threading -------------------------------------------------------------------------------------


def test_a_reply_to_the_notification_threads_onto_the_case(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = logged(people)  # logging it tells the requester
    sent = case.events.get(kind=EventKind.MAIL_OUT)
    assert mail.notify_event(case.events.get(kind=EventKind.CREATED)) is None  # once per event
    [notification] = outbox.outbox
    assert notification.subject == f"[{case.number}] Laptop cannot reach mail"
    assert notification.to == ["requester@northbridge.example"]
    message_id = notification.extra_headers["Message-ID"]
    assert message_id == sent.data["message_id"]
    assert message_id.startswith(f"<case-{case.pk}-{mail.case_token(case.pk)}-")
    assert case.number in notification.body

    reply = message(
        subject=f"Re: [{case.number}] Laptop cannot reach mail",
        body=f"It works again after a restart.\n\nOn Mon, 2 Mar 2026, Regie wrote:\n> {case.number} has been logged",
        in_reply_to=message_id,
        references=message_id,
    )
    record = receive(reply)
    assert (record.status, record.case) == ("added", case)
    event = case.events.get(kind=EventKind.MAIL_IN)
    assert event.note == "It works again after a restart."
    assert event.data == {"person": people.person("requester").pk}
    assert Case.objects.count() == 1


def test_a_reply_by_subject_number_from_the_requester_threads(people):
    case = logged(people)
    record = receive(message(subject=f"RE: [{case.number}] Laptop cannot reach mail", body="Still broken."))
    assert (record.status, record.case) == ("added", case)
    assert case.events.get(kind=EventKind.MAIL_IN).note == "Still broken."


def test_a_reply_by_subject_number_from_someone_working_on_the_case_threads(people):
    case = logged(people)
    services.case_assign(
        actor=people.users["agent"],
        case=case,
        team=people.team,
        assignee=people.person("engineer"),
        expected_version=case.version,
    )
    record = receive(message(sender="engineer@northbridge.example", subject=f"[{case.number}] update", body="On it."))
    assert (record.status, record.case) == ("added", case)


def test_a_subject_number_from_an_outsider_is_quarantined(people):
    case = logged(people)
    record = receive(message(sender="outsider@northbridge.example", subject=f"Re: [{case.number}] Laptop cannot reach mail"))
    assert (record.status, record.reason) == ("quarantined", "forged or unknown case reference")
    assert not case.events.filter(kind=EventKind.MAIL_IN).exists()
    assert Case.objects.count() == 1


def test_an_unknown_case_number_is_quarantined(people):
    record = receive(message(subject="Re: [INC-999999] Something"))
    assert (record.status, record.reason) == ("quarantined", "forged or unknown case reference")


def test_a_forged_reference_is_quarantined(people):
    case = logged(people)
    forged = f"<case-{case.pk}-{'0' * 20}-1.abcdef@localhost>"
    record = receive(message(subject="Anything", in_reply_to=forged, references=forged))
    assert (record.status, record.reason) == ("quarantined", "forged or unknown case reference")
    assert not case.events.filter(kind=EventKind.MAIL_IN).exists()
    assert Case.objects.count() == 1


def test_a_true_reference_from_someone_not_on_the_case_is_quarantined(people):
    case = logged(people)
    reference = f"<case-{case.pk}-{mail.case_token(case.pk)}@localhost>"
    record = receive(message(sender="outsider@northbridge.example", in_reply_to=reference))
    assert (record.status, record.reason) == ("quarantined", "forged or unknown case reference")


def test_an_html_reply_drops_what_it_quotes(people):
    case = logged(people)
    reference = f"<case-{case.pk}-{mail.case_token(case.pk)}@localhost>"
    html = "<div>Thanks, solved.</div><div>On Mon, Regie wrote:</div><blockquote><p>Your incident</p></blockquote>"
    record = receive(message(subject="Re: thanks", html=html, in_reply_to=reference))
    assert record.status == "added"
    assert case.events.get(kind=EventKind.MAIL_IN).note == "Thanks, solved."


# --- outbound --------------------------------------------------------------------------------------


def test_the_requester_hears_of_state_changes_and_others_comments_once(people, django_capture_on_commit_callbacks):
    """The services tell the requester as they go: logged, a state change and the desk's comment — not the
    requester's own comment, not an assignment — each once."""
    with django_capture_on_commit_callbacks(execute=True):
        case = logged(people)
        assert mail.notify_event(case.events.get(kind=EventKind.CREATED)) is None  # told already, once per event
        services.case_comment(actor=people.users["requester"], case=case, note="Any news?")
        case = services.case_assign(actor=people.users["agent"], case=case, team=people.team, expected_version=case.version)
        assert mail.notify_event(case.events.get(kind=EventKind.ASSIGNED)) is None  # not a state change
        case = services.case_transition(
            actor=people.users["agent"], case=case, transition="assign", expected_version=case.version
        )
        services.case_comment(actor=people.users["agent"], case=case, note="We are looking into it.")
    first = case.events.filter(kind=EventKind.MAIL_OUT).order_by("at", "id").first()
    assert first is not None
    assert len(outbox.outbox) == 3
    root = first.data["message_id"]
    for sent in outbox.outbox[1:]:
        assert (sent.extra_headers["In-Reply-To"], sent.extra_headers["References"]) == (root, root)
        assert sent.extra_headers["Message-ID"].startswith(f"<case-{case.pk}-{mail.case_token(case.pk)}-")
    assert "We are looking into it." in outbox.outbox[2].body
    assert CaseEvent.objects.filter(case=case, kind=EventKind.MAIL_OUT).count() == 3


def test_a_requester_known_only_by_address_is_notified(people, django_capture_on_commit_callbacks):
    case = logged(people)
    Case.objects.filter(pk=case.pk).update(requester=None, requester_email="guest@elsewhere.example")
    CaseEvent.objects.filter(case=case, kind=EventKind.MAIL_OUT).delete()  # as if logged for the guest
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True), override_settings(REGIE_MAIL_ROUTES=ROUTES):
        mail.notify_event(case.events.get(kind=EventKind.CREATED))
    assert outbox.outbox[0].to == ["guest@elsewhere.example"]
    assert outbox.outbox[0].reply_to == [DESK]


# --- readers ---------------------------------------------------------------------------------------


def test_the_maildir_reader_receives_new_mail_and_moves_it_to_cur(people, tmp_path):
    path = tmp_path / "Maildir"
    box = mailbox.Maildir(str(path), create=True)
    box.add(message())
    box.add(message(sender="stranger@elsewhere.example"))
    out, err = StringIO(), StringIO()
    with override_settings(REGIE_MAIL_ROUTES=ROUTES):
        call_command("fetch_mail", "--maildir", str(path), stdout=out, stderr=err)
    assert "created: 1, added: 0, quarantined: 1" in out.getvalue()
    assert "unknown sender" in err.getvalue()
    assert list((path / "new").iterdir()) == []
    assert sorted(name.name.split(":")[1] for name in (path / "cur").iterdir()) == ["2,S", "2,S"]
    out = StringIO()
    with override_settings(REGIE_MAIL_ROUTES=ROUTES):
        call_command("fetch_mail", "--maildir", str(path), stdout=out)
    assert "created: 0, added: 0, quarantined: 0" in out.getvalue()
    assert InboundMail.objects.count() == 2


def test_a_message_that_cannot_be_stored_stays_new(people, tmp_path, monkeypatch):
    path = tmp_path / "Maildir"
    mailbox.Maildir(str(path), create=True).add(message())

    def broken(raw: bytes, **keywords: Any) -> None:
        raise OSError("storage unavailable")

    monkeypatch.setattr(mail, "receive_once", broken)
    with pytest.raises(CommandError, match="could not be stored"):
        call_command("fetch_mail", "--maildir", str(path), stdout=StringIO(), stderr=StringIO())
    assert len(list((path / "new").iterdir())) == 1


def test_a_missing_maildir_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such directory"):
        call_command("fetch_mail", "--maildir", str(tmp_path / "nowhere"))
    (tmp_path / "plain").mkdir()
    with pytest.raises(CommandError, match="not a Maildir"):
        call_command("fetch_mail", "--maildir", str(tmp_path / "plain"))


def test_bad_reader_arguments_are_named():
    with pytest.raises(CommandError, match="--imap needs --user and --password-env"):
        call_command("fetch_mail", "--imap", "mail.example")
    with pytest.raises(CommandError, match="REGIE_TEST_UNSET"):
        call_command("fetch_mail", "--imap", "mail.example", "--user", "desk", "--password-env", "REGIE_TEST_UNSET")
    with pytest.raises(CommandError, match="--user is for --imap"):
        call_command("fetch_mail", "--maildir", "/tmp", "--user", "desk")


class FakeImap:
    """Just enough of an IMAP server: two unseen messages, flags remembered."""

    error = imaplib.IMAP4.error
    instances: list[FakeImap] = []
    messages: dict[str, bytes] = {}

    def __init__(self, host: str, port: int, timeout: float | None = None) -> None:
        self.host, self.port = host, port
        self.seen: list[str] = []
        self.logged_out = False
        FakeImap.instances.append(self)

    def login(self, user: str, password: str) -> tuple[str, list[bytes]]:
        if password != "secret":
            raise self.error(b"[AUTHENTICATIONFAILED] Invalid credentials")
        return "OK", [b"logged in"]

    def select(self, folder: str) -> tuple[str, list[bytes]]:
        return ("OK", [b"2"]) if folder == "INBOX" else ("NO", [b"no such folder"])

    def uid(self, command: str, *arguments: Any) -> tuple[str, list[Any]]:
        if command == "SEARCH":
            return "OK", [" ".join(uid for uid in self.messages if uid not in self.seen).encode()]
        if command == "FETCH":
            uid = arguments[0]
            return "OK", [(f"{uid} (UID {uid} BODY[] {{1}}".encode(), self.messages[uid]), b")"]
        if command == "STORE":
            self.seen.append(arguments[0])
            return "OK", []
        raise AssertionError(command)

    def logout(self) -> None:
        self.logged_out = True


def test_the_imap_reader_receives_unseen_mail_and_flags_it_seen(people, monkeypatch):
    FakeImap.instances = []
    FakeImap.messages = {"7": message(), "8": message(sender="stranger@elsewhere.example")}
    monkeypatch.setattr(imaplib, "IMAP4_SSL", FakeImap)
    monkeypatch.setenv("REGIE_TEST_IMAP_PASSWORD", "secret")
    out = StringIO()
    with override_settings(REGIE_MAIL_ROUTES=ROUTES):
        call_command(
            "fetch_mail", "--imap", "imap.example", "--user", "desk", "--password-env", "REGIE_TEST_IMAP_PASSWORD", stdout=out
        )
    [client] = FakeImap.instances
    assert (client.port, client.seen, client.logged_out) == (993, ["7", "8"], True)
    assert "created: 1, added: 0, quarantined: 1" in out.getvalue()


def test_a_failed_imap_login_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(imaplib, "IMAP4", FakeImap)
    monkeypatch.setenv("REGIE_TEST_IMAP_PASSWORD", "wrong")
    with pytest.raises(CommandError, match="IMAP login to imap.example as desk failed: .*Invalid credentials"):
        call_command(
            "fetch_mail", "--imap", "imap.example", "--no-ssl", "--user", "desk", "--password-env", "REGIE_TEST_IMAP_PASSWORD"
        )


# --- SMTP ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.django_db(transaction=True)
def test_the_smtp_entry_point_logs_a_case(people):
    from aiosmtpd.controller import Controller

    from regie.cases.smtp import CaseMailHandler

    port = _free_port()
    controller = Controller(CaseMailHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(REGIE_MAIL_ROUTES=ROUTES), smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            refused = client.sendmail("requester@northbridge.example", [DESK], message(to="desk <desk@other.example>"))
    finally:
        controller.stop()
    assert refused == {}
    record = InboundMail.objects.get()
    assert record.status == "created"  # routed by the envelope's recipient
    assert record.case is not None and record.case.requester == people.person("requester")


def test_a_person_made_by_the_factory_can_write_in(people):
    person = PersonFactory(org_unit=people.org.unit_a, email="new.colleague@northbridge.example")
    record = receive(message(sender=person.email))
    assert record.case is not None and record.case.requester == person
