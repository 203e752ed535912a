"""The generic record contract for the document register (pages, exports, history, archiving, the API
list), with the API's writes checked as multipart uploads."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from regie.core.testing import RecordContract
from regie.engagement.models import Document
from regie.engagement.ui import DOCUMENTS

from .conftest import pdf_file

_numbers = itertools.count(1)


class TestDocuments(RecordContract):
    ui = DOCUMENTS
    api_prefix = "/api/documents/"
    viewer_in_scope = "member_it"
    editor_in_scope = "pmo_it"
    text_field = "title"

    def make(self, org: Any, where: str) -> Document:
        n = next(_numbers)
        scope = org.it.scope if where == "a" else org.hr.scope
        return Document.objects.create(scope=scope, title=f"Document {n}", reference=f"D-{n}")

    def form_data(self, org: Any, obj: Document | None = None) -> dict[str, Any]:
        if obj is not None:
            return {
                "title": obj.title,
                "reference": obj.reference,
                "kind": obj.kind,
                "description": obj.description,
                "reviewers": [],
                "approvers": [],
            }
        n = next(_numbers)
        return {"scope": org.it.scope.pk, "title": f"New document {n}", "reference": "", "kind": "report", "description": ""}

    def api_payload(self, org: Any) -> dict[str, Any]:
        n = next(_numbers)
        return {"scope": org.it.scope.pk, "title": f"Posted document {n}", "kind": "design"}

    # The API registers documents with multipart forms (the file is optional), so its writes differ.

    @pytest.mark.django_db
    def test_api_create_update_with_etag(self, org: Any) -> None:
        import json

        client = org.client_for(self.editor_in_scope)
        created = client.post(self.api_prefix, {**self.api_payload(org), "file": pdf_file()})
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["latest_version"] == 1 and body["versions"][0]["original_name"] == "plan.pdf"
        pk = body["id"]
        etag = client.get(f"{self.api_prefix}{pk}")["ETag"]
        changed = client.patch(
            f"{self.api_prefix}{pk}",
            json.dumps({"title": "Via API"}),
            content_type="application/json",
            headers={"If-Match": etag},
        )
        assert changed.status_code == 200, changed.content
        assert changed.json()["title"] == "Via API"
        stale = client.patch(
            f"{self.api_prefix}{pk}", json.dumps({"title": "Stale"}), content_type="application/json", headers={"If-Match": etag}
        )
        assert stale.status_code == 409 and stale["Content-Type"] == "application/problem+json"
        assert client.get(f"{self.api_prefix}{pk}").json()["title"] == "Via API"
        missing = client.patch(f"{self.api_prefix}{pk}", json.dumps({"title": "x"}), content_type="application/json")
        assert missing.status_code == 428

    @pytest.mark.django_db
    def test_api_viewer_cannot_write(self, org: Any) -> None:
        import json

        obj = self.make(org, "a")
        client = org.client_for(self.viewer_in_scope)
        count = Document.objects.count()
        assert client.post(self.api_prefix, {**self.api_payload(org), "file": pdf_file()}).status_code == 403
        assert Document.objects.count() == count
        response = client.patch(
            f"{self.api_prefix}{obj.pk}",
            json.dumps({"title": "nope"}),
            content_type="application/json",
            headers={"If-Match": f'"{obj.version}"'},
        )
        assert response.status_code == 403
        obj.refresh_from_db()
        assert obj.title != "nope"
