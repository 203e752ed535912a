"""Signing in and out, passwords, throttling, invitations by real email, languages, security headers."""

from __future__ import annotations

import re
import socket
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher, make_password
from django.core import mail
from django.test import Client, override_settings

from regie.core import services
from regie.core.models import Person
from regie.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from regie import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        assert identify_hasher(make_password("a-Strong-passw0rd")).algorithm == "argon2"


def test_sign_in_and_out(org):
    user = UserFactory(username="walter", password="a-Strong-passw0rd")
    client = Client()
    response = client.post("/accounts/login/", {"username": "walter", "password": "a-Strong-passw0rd"})
    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/profile/").status_code == 302
    assert user.pk


def test_repeated_failures_are_throttled_even_with_the_right_password(org, settings):
    UserFactory(username="target", password="a-Strong-passw0rd")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "target", "password": "guess"}, REMOTE_ADDR="10.9.8.7")
    response = client.post("/accounts/login/", {"username": "target", "password": "a-Strong-passw0rd"}, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by someone else's guessing.
    other = Client()
    ok = other.post("/accounts/login/", {"username": "target", "password": "a-Strong-passw0rd"}, REMOTE_ADDR="10.1.1.1")
    assert ok.status_code == 302


def test_client_address_behind_trusted_proxies(rf, settings):
    from regie.core.middleware import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    settings.REGIE_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.REGIE_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the forged first entry is ignored


def test_change_password(org):
    UserFactory(username="walter", password="a-Strong-passw0rd")
    client = Client()
    client.post("/accounts/login/", {"username": "walter", "password": "a-Strong-passw0rd"})
    bad = client.post("/accounts/password/", {"old_password": "wrong", "new_password1": "x", "new_password2": "y"})
    assert bad.status_code == 200 and "invalid-feedback" in bad.content.decode() or "errorlist" in bad.content.decode()
    good = client.post(
        "/accounts/password/",
        {
            "old_password": "a-Strong-passw0rd",
            "new_password1": "Another-passw0rd-9",
            "new_password2": "Another-passw0rd-9",
        },
    )
    assert good.status_code == 302
    assert get_user_model().objects.get(username="walter").check_password("Another-passw0rd-9")


def _smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port, received


def test_invitation_goes_out_over_smtp_and_the_link_sets_a_password(org, settings, django_capture_on_commit_callbacks):
    controller, port, received = _smtp_server()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = False
        person = Person.objects.create(
            given_name="Iris",
            family_name="Invited",
            email="iris@example.org",
            org_unit=org.unit_a,
            language="nl",
        )
        client = org.client_for("manager_a")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/people/{person.pk}/invite/")
        assert response.status_code == 302
        deadline = time.monotonic() + 5
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    assert len(received) == 1
    message = received[0]
    assert message["To"] == "iris@example.org"
    body = message.get_payload(decode=True).decode()
    assert "Hallo Iris" in body  # the invitation is in the person's language
    link = re.search(r"http://\S+/accounts/reset/\S+/", body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    anonymous = Client()
    step = anonymous.get("/" + path)
    assert step.status_code == 302
    done = anonymous.post(step["Location"], {"new_password1": "Chosen-passw0rd-1", "new_password2": "Chosen-passw0rd-1"})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.user.check_password("Chosen-passw0rd-1")
    assert (
        anonymous.post("/accounts/login/", {"username": "iris@example.org", "password": "Chosen-passw0rd-1"}).status_code == 302
    )


def test_invitation_needs_the_right_and_an_email(org):
    person = Person.objects.create(given_name="No", family_name="Mail", org_unit=org.unit_a)
    member = org.client_for("member_a")
    assert member.post(f"/people/{person.pk}/invite/").status_code == 403
    manager = org.client_for("manager_a")
    manager.post(f"/people/{person.pk}/invite/")
    person.refresh_from_db()
    assert person.user is None and not mail.outbox
    outside = Person.objects.create(given_name="Out", family_name="Side", email="out@example.org", org_unit=org.unit_b)
    assert manager.post(f"/people/{outside.pk}/invite/").status_code == 404


def test_people_who_already_sign_in_are_not_invited_again(org):
    with pytest.raises(Exception, match="already signs in"):
        services.person_invite(actor=org.users["administrator"], person=org.users["member_a"].person)


def test_pages_speak_dutch_and_swedish(org):
    client = org.client_for("member_all")
    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert "Mijn werk" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert "Mitt arbete" in client.get("/").content.decode()
    problem = org.client_for("anonymous").get("/api/people/", headers={"Accept-Language": "nl"}).json()
    assert problem["title"] != "Authentication required."


def test_translation_catalogues_are_complete():
    from regie.core.i18n_check import problems

    assert problems() == []


def test_security_headers_on_pages(org):
    response = org.client_for("member_all").get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_forms_need_the_csrf_token(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.users["manager_a"])
    response = client.post("/units/add/", {"code": "X1", "name": "No token", "parent": org.unit_a.pk})
    assert response.status_code == 403


def test_html_is_escaped(org):
    Person.objects.filter(pk=org.person_a.pk).update(family_name="<script>alert(1)</script>")
    page = org.client_for("member_a").get(f"/people/{org.person_a.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_health_reports_the_database():
    response = Client().get("/health/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
