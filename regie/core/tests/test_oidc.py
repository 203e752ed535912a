"""Single sign-on against a stub OpenID Connect provider served on localhost."""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from regie.core.models import Person

pytestmark = pytest.mark.django_db

SECRET = "stub-provider-client-secret-0123456789abcdef"


class Provider:
    """Answers the token and userinfo requests the way an OpenID Connect provider does."""

    def __init__(self) -> None:
        self.nonce = ""
        self.email = ""
        self.verified = True
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def _json(self, body):
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):  # token endpoint
                length = int(self.headers.get("Content-Length", 0))
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                assert form["grant_type"] == ["authorization_code"] and form["code"] == ["the-code"]
                claims = {"sub": "42", "nonce": provider.nonce, "aud": "regie", "iss": "stub"}
                token = jwt.encode(claims, SECRET, algorithm="HS256")
                self._json({"access_token": "access", "id_token": token, "token_type": "Bearer"})

            def do_GET(self):  # userinfo endpoint
                assert self.headers["Authorization"] == "Bearer access"
                self._json({"sub": "42", "email": provider.email, "email_verified": provider.verified})

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def provider():
    stub = Provider()
    with override_settings(
        ROOT_URLCONF="regie.core.tests.oidc_urls",
        OIDC_ENABLED=True,
        OIDC_PROVIDER_NAME="Stub ID",
        OIDC_RP_CLIENT_ID="regie",
        OIDC_RP_CLIENT_SECRET=SECRET,
        OIDC_RP_SIGN_ALGO="HS256",
        OIDC_RP_SCOPES="openid email",
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{stub.url}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{stub.url}/token",
        OIDC_OP_USER_ENDPOINT=f"{stub.url}/userinfo",
        OIDC_CREATE_USER=False,
        LOGIN_REDIRECT_URL_FAILURE="/accounts/login/",
        AUTHENTICATION_BACKENDS=[
            "axes.backends.AxesStandaloneBackend",
            "django.contrib.auth.backends.ModelBackend",
            "regie.core.oidc.RegieOIDCBackend",
        ],
    ):
        yield stub
    stub.server.shutdown()


def _sign_in(client: Client, provider: Provider, email: str) -> str:
    assert "Sign in with Stub ID" in client.get("/accounts/login/").content.decode()
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302 and start["Location"].startswith(provider.url)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(start["Location"]).query)
    provider.nonce, provider.email = query["nonce"][0], email
    done = client.get("/oidc/callback/", {"code": "the-code", "state": query["state"][0]})
    return done["Location"]


def test_a_known_email_signs_in(org, provider):
    user = get_user_model().objects.create_user("iris", email="iris@example.org")
    Person.objects.create(given_name="Iris", family_name="Sso", email="iris@example.org", user=user, org_unit=org.unit_a)
    client = Client()
    assert _sign_in(client, provider, "Iris@Example.org") == "/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/profile/").status_code == 200


def test_an_unknown_email_is_refused_without_creating_a_user(org, provider):
    client = Client()
    before = get_user_model().objects.count()
    assert _sign_in(client, provider, "stranger@example.org").startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.count() == before


def test_an_unverified_email_is_refused(org, provider):
    get_user_model().objects.create_user("ivo", email="ivo@example.org")
    provider.verified = False
    client = Client()
    assert _sign_in(client, provider, "ivo@example.org").startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
