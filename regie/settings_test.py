"""Settings for the test suite: the production settings with plain HTTP and a fast password hasher.

Argon2 stays the default hasher everywhere else; a test asserts that stored passwords use it.
"""

from regie.settings import *  # noqa: F403
from regie.settings import PASSWORD_HASHERS

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

from regie.settings import STATIC_ROOT  # noqa: E402

STATIC_ROOT.mkdir(parents=True, exist_ok=True)

from regie.settings import DATABASES  # noqa: E402

# Live-server threads in browser tests must not keep connections open past their request: the test
# database is dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0
