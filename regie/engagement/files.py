"""Checking an uploaded file before it is stored: its name, its type, its size and its first bytes.

Nothing about an upload is trusted. The name is only display text (and must not try a path); the stored
name is generated (``models.version_upload_to``); the type comes from the extension, which must be on the
allowed list and agree with the file's first bytes, so that a renamed executable is refused.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "vsdx": "application/vnd.ms-visio.drawing",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "odg": "application/vnd.oasis.opendocument.graphics",
    "txt": "text/plain",
    "csv": "text/csv",
    "md": "text/markdown",
    "xml": "application/xml",
    "json": "application/json",
    "eml": "message/rfc822",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "mpp": "application/vnd.ms-project",
    "msg": "application/vnd.ms-outlook",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "zip": "application/zip",
}

ZIP = (b"PK\x03\x04", b"PK\x05\x06")
OLE2 = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
#: The first bytes a file of each type starts with; text types are checked for being text instead.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "docx": ZIP,
    "xlsx": ZIP,
    "pptx": ZIP,
    "vsdx": ZIP,
    "odt": ZIP,
    "ods": ZIP,
    "odp": ZIP,
    "odg": ZIP,
    "zip": ZIP,
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "mpp": OLE2,
    "msg": OLE2,
    "doc": OLE2,
    "xls": OLE2,
    "ppt": OLE2,
}
TEXT_TYPES = {"txt", "csv", "md", "xml", "json", "eml"}
#: Executables and scripts, refused whatever their name says.
EXECUTABLE = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"#!")
SNIFF_BYTES = 8192


def extension_of(name: str) -> str:
    """The lower-case extension of a file name, without the dot ("" when there is none)."""
    base = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." not in base.strip("."):
        return ""
    return base.rsplit(".", 1)[-1].lower()


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(extension_of(name), "application/octet-stream")


def allowed_extensions() -> list[str]:
    return sorted({e.lower().lstrip(".") for e in settings.REGIE_DOCUMENT_EXTENSIONS})


def max_bytes() -> int:
    return int(settings.REGIE_DOCUMENT_MAX_BYTES)


def human_size(size: int) -> str:
    """Bytes as people read them: 812 bytes, 14.2 KB, 3.4 MB."""
    if size < 1024:
        return _("%(n)s bytes") % {"n": size}
    if size < 1024 * 1024:
        return _("%(n).1f KB") % {"n": size / 1024}
    return _("%(n).1f MB") % {"n": size / (1024 * 1024)}


def clean_filename(name: str, field: str = "file") -> str:
    """The uploaded file's name as safe display text. A name that tries a path (separators, "..") or
    hides control characters is refused with a clear error rather than silently changed."""
    raw = unicodedata.normalize("NFC", name or "").strip()
    if not raw:
        raise ValidationError({field: [_("The file has no name.")]})
    if "/" in raw or "\\" in raw or ".." in raw:
        raise ValidationError(
            {field: [_("The file name “%(name)s” contains a path; give a plain file name.") % {"name": raw[:100]}]}
        )
    if any(unicodedata.category(c).startswith("C") for c in raw):
        raise ValidationError({field: [_("The file name contains control characters.")]})
    if raw.startswith("."):
        raise ValidationError({field: [_("The file name may not start with a dot.")]})
    if len(raw) > 200:
        raise ValidationError({field: [_("The file name is longer than 200 characters.")]})
    try:
        safe = get_valid_filename(raw)
    except Exception:  # noqa: BLE001 - Django refuses names it cannot make safe ("", ".", "..")
        raise ValidationError({field: [_("The file name cannot be used; rename the file.")]}) from None
    return safe


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed every check, with what the register keeps about it."""

    name: str
    extension: str
    size: int
    sha256: str
    content_type: str


def check_upload(upload: Any, *, name: str | None = None) -> CheckedFile:
    """Check an uploaded file (a Django ``File``) against the limits; raise ValidationError on the
    ``file`` field (or ``filename`` for a given display name) when it is refused. Reads the file once to
    hash it; nothing is stored."""
    if upload is None:
        raise ValidationError({"file": [_("Choose a file to upload.")]})
    display = clean_filename(name if name else getattr(upload, "name", ""), field="filename" if name else "file")
    field = "filename" if name else "file"
    extension = extension_of(display)
    allowed = allowed_extensions()
    if not extension or extension not in allowed:
        raise ValidationError(
            {
                field: [
                    _("Files of type “%(type)s” are not accepted. Accepted types: %(allowed)s.")
                    % {"type": f".{extension}" if extension else _("(no extension)"), "allowed": ", ".join(allowed)}
                ]
            }
        )
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise ValidationError(
            {
                "file": [
                    _("The file is %(size)s; the limit is %(limit)s.") % {"size": human_size(size), "limit": human_size(limit)}
                ]
            }
        )
    digest = hashlib.sha256()
    head = b""
    total = 0
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        total += len(chunk)
        if total > limit:
            raise ValidationError({"file": [_("The file is larger than the limit of %(limit)s.") % {"limit": human_size(limit)}]})
        digest.update(chunk)
    upload.seek(0)
    if total == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    if not _content_matches(extension, head):
        raise ValidationError(
            {"file": [_("The file's contents do not match its type “.%(type)s”; it may be renamed.") % {"type": extension}]}
        )
    return CheckedFile(display, extension, total, digest.hexdigest(), CONTENT_TYPES.get(extension, "application/octet-stream"))


def _content_matches(extension: str, head: bytes) -> bool:
    """A light check of the first bytes: the signature of the type, or text for text types; executables
    never pass."""
    if head.startswith(EXECUTABLE):
        return False
    signatures = SIGNATURES.get(extension)
    if signatures is not None:
        return head.startswith(signatures)
    if extension in TEXT_TYPES:
        # Text has no NUL bytes, unless it is UTF-16 with its byte-order mark.
        return b"\x00" not in head or _is_utf16(head)
    # A type an operator added to the allowed list without a known signature: the executable check above.
    return True


def _is_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))
