"""OpenID Connect single sign-on: a provider's user is matched to a person by verified email.

Switched on by the OIDC_* environment variables (docs/configuration.md). Users are not created unless
OIDC_CREATE_USER is set; a match links the person's login so roles apply as for a password sign-in.
"""

from __future__ import annotations

from typing import Any

from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from regie.core.models import Person


class RegieOIDCBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(super().verify_claims(claims) and claims.get("email") and claims.get("email_verified", True))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        email = (claims.get("email") or "").strip()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True) if email else self.UserModel.objects.none()

    def create_user(self, claims: dict[str, Any]) -> Any:
        email = claims["email"].strip()
        user = self.UserModel.objects.create_user(username=email, email=email)
        person = Person.objects.filter(email__iexact=email, user__isnull=True).first()
        if person is not None:
            person.user = user
            person.save(update_fields=["user"])
        return user
