"""Generic test cases for any business record's pages and API, in the manner of NetBox's.

An app's test subclasses ``RecordContract`` and declares only data: how to make a record inside and
outside a user's scope, valid form data and an API payload. The contract then checks every page and
endpoint for anonymous users, users without a role, users whose role does not cover the record, and
users whose role does — including history, archiving, exports and optimistic locking.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import pytest
from django.urls import reverse

from regie.core.generic import ModelUI


class RecordContract(ABC):
    """Subclass and fill in; every test below runs for the subclass's model."""

    ui: ClassVar[ModelUI]
    api_prefix: ClassVar[str]
    #: user names (from the ``org`` fixture) that may view / change records in unit A, and those that may not
    viewer_in_scope: ClassVar[str] = "member_a"
    editor_in_scope: ClassVar[str] = "manager_a"
    #: a text field changed by the edit tests
    text_field: ClassVar[str] = "name"

    @abstractmethod
    def make(self, org: Any, where: str) -> Any:
        """A record governed by unit/domain A (``where="a"``) or B."""

    @abstractmethod
    def form_data(self, org: Any, obj: Any | None = None) -> dict[str, Any]:
        """Valid form data: for ``obj`` as it is, or for a new record in A."""

    @abstractmethod
    def api_payload(self, org: Any) -> dict[str, Any]:
        """A valid API payload creating a record in A."""

    # --- helpers ------------------------------------------------------------------------------------

    def url(self, kind: str, *args: Any) -> str:
        return reverse(f"{self.ui.model._meta.app_label}:{self.ui.name}_{kind}", args=args)

    # --- pages --------------------------------------------------------------------------------------

    @pytest.mark.django_db
    def test_anonymous_is_sent_to_sign_in_from_every_page(self, org: Any) -> None:
        obj = self.make(org, "a")
        client = org.client_for("anonymous")
        for url in (
            self.url("list"),
            self.url("add"),
            self.url("detail", obj.pk),
            self.url("edit", obj.pk),
            self.url("history", obj.pk),
        ):
            response = client.get(url)
            assert response.status_code == 302 and reverse("login") in response["Location"], url
        response = client.post(self.url("archive", obj.pk))
        assert response.status_code == 302 and reverse("login") in response["Location"]
        obj.refresh_from_db()
        assert obj.archived_at is None

    @pytest.mark.django_db
    def test_user_without_role_reaches_nothing(self, org: Any) -> None:
        obj = self.make(org, "a")
        client = org.client_for("norole")
        listing = client.get(self.url("list"))
        if getattr(self.ui.model, "listed_for_named_people", False):
            assert listing.status_code == 200 and obj.get_absolute_url() not in listing.content.decode()
        else:
            assert listing.status_code == 403
        assert client.get(self.url("detail", obj.pk)).status_code == 404
        assert client.get(self.url("history", obj.pk)).status_code == 404
        assert client.get(self.url("edit", obj.pk)).status_code == 404
        assert client.get(self.url("add")).status_code == 403
        assert client.post(self.url("archive", obj.pk)).status_code == 404
        assert obj.pk not in {row["id"] for row in client.get(self.api_prefix, {"limit": 500}).json()["items"]}
        assert client.get(f"{self.api_prefix}{obj.pk}").status_code == 404
        assert client.get(reverse("core:search"), {"q": str(obj)[:20]}).content.decode().count(obj.get_absolute_url()) == 0

    @pytest.mark.django_db
    def test_viewer_sees_records_in_scope_only(self, org: Any) -> None:
        inside, outside = self.make(org, "a"), self.make(org, "b")
        client = org.client_for(self.viewer_in_scope)
        page = client.get(self.url("list"), {"q": "", "per_page": 100}).content.decode()
        assert inside.get_absolute_url() in page
        assert outside.get_absolute_url() not in page
        assert client.get(self.url("detail", inside.pk)).status_code == 200
        assert client.get(self.url("history", inside.pk)).status_code == 200
        assert client.get(self.url("detail", outside.pk)).status_code == 404
        assert client.get(self.url("edit", inside.pk)).status_code == 403
        exported = client.get(self.url("list"), {"export": "csv"}).content.decode()
        assert str(getattr(inside, self.text_field)) in exported
        assert str(getattr(outside, self.text_field)) not in exported
        ids = {row["id"] for row in client.get(self.api_prefix, {"limit": 500}).json()["items"]}
        assert inside.pk in ids and outside.pk not in ids
        assert client.get(f"{self.api_prefix}{outside.pk}").status_code == 404
        assert client.get(f"{self.api_prefix}{outside.pk}/history").status_code == 404
        search = client.get(reverse("core:search"), {"q": str(outside)[:30]}).content.decode()
        assert outside.get_absolute_url() not in search

    @pytest.mark.django_db
    def test_editor_changes_in_scope_and_history_records_it(self, org: Any) -> None:
        obj = self.make(org, "a")
        client = org.client_for(self.editor_in_scope)
        data = self.form_data(org, obj)
        data[self.text_field] = "Changed by the contract"
        data["version"] = obj.version
        response = client.post(self.url("edit", obj.pk), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        obj.refresh_from_db()
        assert getattr(obj, self.text_field) == "Changed by the contract"
        history = client.get(self.url("history", obj.pk)).content.decode()
        assert "Changed by the contract" in history
        assert str(org.users[self.editor_in_scope].person) in history

    @pytest.mark.django_db
    def test_stale_form_is_refused_and_changes_nothing(self, org: Any) -> None:
        obj = self.make(org, "a")
        client = org.client_for(self.editor_in_scope)
        data = self.form_data(org, obj)
        data[self.text_field] = "First writer"
        data["version"] = obj.version
        assert client.post(self.url("edit", obj.pk), data).status_code == 302
        data[self.text_field] = "Second writer, stale"
        response = client.post(self.url("edit", obj.pk), data)
        assert response.status_code == 400
        obj.refresh_from_db()
        assert getattr(obj, self.text_field) == "First writer"

    @pytest.mark.django_db
    def test_editor_cannot_change_outside_scope(self, org: Any) -> None:
        outside = self.make(org, "b")
        client = org.client_for(self.editor_in_scope)
        before = getattr(outside, self.text_field)
        data = self.form_data(org, outside)
        data[self.text_field] = "Should not land"
        data["version"] = outside.version
        assert client.post(self.url("edit", outside.pk), data).status_code == 404
        outside.refresh_from_db()
        assert getattr(outside, self.text_field) == before

    @pytest.mark.django_db
    def test_create_through_the_form(self, org: Any) -> None:
        client = org.client_for(self.editor_in_scope)
        data = self.form_data(org)
        response = client.post(self.url("add"), data)
        assert response.status_code == 302, response.content.decode()[:3000]
        created = self.ui.model._default_manager.get(**{self.text_field: data[self.text_field]})
        assert created.history.count() == 1

    @pytest.mark.django_db
    def test_invalid_form_names_the_field_and_stores_nothing(self, org: Any) -> None:
        client = org.client_for(self.editor_in_scope)
        data = self.form_data(org)
        data[self.text_field] = ""
        count = self.ui.model._default_manager.count()
        response = client.post(self.url("add"), data)
        assert response.status_code == 400
        assert "invalid-feedback" in response.content.decode()
        assert self.ui.model._default_manager.count() == count

    @pytest.mark.django_db
    def test_archive_and_restore(self, org: Any) -> None:
        obj = self.make(org, "a")
        client = org.client_for(self.editor_in_scope)
        assert client.post(self.url("archive", obj.pk), {"version": obj.version}).status_code == 302
        obj.refresh_from_db()
        assert obj.archived_at is not None
        assert obj.get_absolute_url() not in client.get(self.url("list")).content.decode()
        assert obj.get_absolute_url() in client.get(self.url("list"), {"archived": "only"}).content.decode()
        assert client.post(self.url("archive", obj.pk), {"version": obj.version, "restore": "1"}).status_code == 302
        obj.refresh_from_db()
        assert obj.archived_at is None
        kinds = [e["kind_label"] for e in client.get(f"{self.api_prefix}{obj.pk}/history").json()]
        assert kinds[:2] == ["restored", "archived"]
        assert self.ui.model._default_manager.filter(pk=obj.pk).exists()

    @pytest.mark.django_db
    def test_exports_open_as_csv_and_excel(self, org: Any) -> None:
        import io

        from openpyxl import load_workbook

        obj = self.make(org, "a")
        client = org.client_for(self.viewer_in_scope)
        csv_response = client.get(self.url("list"), {"export": "csv"})
        assert csv_response["Content-Type"].startswith("text/csv")
        assert "attachment" in csv_response["Content-Disposition"]
        xlsx = client.get(self.url("list"), {"export": "xlsx"})
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        values = {str(c.value) for row in sheet.iter_rows() for c in row}
        assert str(getattr(obj, self.text_field)) in values
        assert sheet.freeze_panes == "A2"

    # --- API ----------------------------------------------------------------------------------------

    @pytest.mark.django_db
    def test_api_anonymous_gets_401_problem(self, org: Any) -> None:
        obj = self.make(org, "a")
        client = org.client_for("anonymous")
        for response in (
            client.get(self.api_prefix),
            client.get(f"{self.api_prefix}{obj.pk}"),
            client.post(self.api_prefix, "{}", content_type="application/json"),
        ):
            assert response.status_code == 401
            assert response["Content-Type"] == "application/problem+json"

    @pytest.mark.django_db
    def test_api_create_update_with_etag(self, org: Any) -> None:
        client = org.client_for(self.editor_in_scope)
        payload = self.api_payload(org)
        created = client.post(self.api_prefix, json.dumps(payload), content_type="application/json")
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        etag = client.get(f"{self.api_prefix}{pk}")["ETag"]
        changed = client.patch(
            f"{self.api_prefix}{pk}",
            json.dumps({self.text_field: "Via API"}),
            content_type="application/json",
            headers={"If-Match": etag},
        )
        assert changed.status_code == 200, changed.content
        assert changed.json()[self.text_field] == "Via API"
        stale = client.patch(
            f"{self.api_prefix}{pk}",
            json.dumps({self.text_field: "Stale"}),
            content_type="application/json",
            headers={"If-Match": etag},
        )
        assert stale.status_code == 409
        assert stale["Content-Type"] == "application/problem+json"
        assert client.get(f"{self.api_prefix}{pk}").json()[self.text_field] == "Via API"
        missing = client.patch(f"{self.api_prefix}{pk}", json.dumps({self.text_field: "x"}), content_type="application/json")
        assert missing.status_code == 428

    @pytest.mark.django_db
    def test_api_viewer_cannot_write(self, org: Any) -> None:
        obj = self.make(org, "a")
        client = org.client_for(self.viewer_in_scope)
        response = client.post(self.api_prefix, json.dumps(self.api_payload(org)), content_type="application/json")
        assert response.status_code == 403
        response = client.patch(
            f"{self.api_prefix}{obj.pk}",
            json.dumps({self.text_field: "nope"}),
            content_type="application/json",
            headers={"If-Match": f'"{obj.version}"'},
        )
        assert response.status_code == 403
        obj.refresh_from_db()
        assert getattr(obj, self.text_field) != "nope"

    @pytest.mark.django_db
    def test_api_list_query_count_does_not_grow(self, org: Any, django_assert_max_num_queries: Any) -> None:
        for _ in range(30):
            self.make(org, "a")
        client = org.client_for(self.viewer_in_scope)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for limit in (5, 30):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(self.api_prefix, {"limit": limit}).status_code == 200
            counts.append(len(captured.captured_queries))
        assert counts[0] == counts[1], counts
        page_counts = []
        for per_page in (25, 100):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(self.url("list"), {"per_page": per_page}).status_code == 200
            page_counts.append(len(captured.captured_queries))
        assert page_counts[0] == page_counts[1], page_counts
