"""Importing items and relations: created and updated by type and identifier, all or nothing, every
problem listed by row and column, wrong files refused clearly, large files as a background job."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from regie.configuration import views
from regie.configuration.models import ConfigurationItem, Relation
from regie.configuration.tests.conftest import make_item
from regie.core import jobs
from regie.core.models import Job, JobStatus

pytestmark = pytest.mark.django_db

ITEM_HEADER = ["type", "identifier", "name", "domain", "status", "ram_gb", "os", "vendor"]
RELATION_HEADER = ["source_type", "source_identifier", "kind", "target_type", "target_identifier"]


def workbook(items: list[list[object]], relations: list[list[object]] | None = None, item_header=ITEM_HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "items"
    sheet.append(item_header)
    for row in items:
        sheet.append(row)
    if relations is not None:
        other = book.create_sheet("relations")
        other.append(RELATION_HEADER)
        for row in relations:
            other.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_file(header: list[str], rows: list[list[object]]) -> bytes:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def upload(client, items: bytes, name: str = "register.xlsx", relations: bytes | None = None, relations_name: str = ""):
    data = {"items": SimpleUploadedFile(name, items)}
    if relations is not None:
        data["relations"] = SimpleUploadedFile(relations_name or "relations.csv", relations)
    return client.post("/configuration-items/import/", data)


GOOD_ITEMS = [
    ["SERVER", "esx01", "Host 1", "IT", "in use", 256, "Debian 12", None],
    ["SERVER", "esx02", "Host 2", "it", "maintenance", "512", "windows server 2022", None],
    ["APP", "erp", "Finance ERP", "IT", "", None, None, "Oracle"],
]
GOOD_RELATIONS = [
    ["APP", "erp", "runs on", "SERVER", "esx01"],
    ["SERVER", "esx01", "connected_to", "SERVER", "esx02"],
]


def test_a_good_workbook_creates_items_and_relations_and_a_second_run_changes_nothing(org, server_type, app_type):
    client = org.client_for("cm_it")
    response = upload(client, workbook(GOOD_ITEMS, GOOD_RELATIONS))
    assert response.status_code == 302, response.content.decode()[:3000]
    esx02 = ConfigurationItem.objects.get(identifier="esx02")
    assert esx02.status == "maintenance" and esx02.attributes == {"ram_gb": 512, "os": "Windows Server 2022"}
    assert ConfigurationItem.objects.get(identifier="erp").attributes == {"vendor": "Oracle"}
    assert set(Relation.objects.values_list("source__identifier", "kind", "target__identifier")) == {
        ("erp", "runs_on", "esx01"),
        ("esx01", "connected_to", "esx02"),
    }
    assert esx02.history.count() == 1 and esx02.history.first().history_user == org.users["cm_it"]
    followed = client.get(response["Location"])
    assert "3 items created, 0 updated, 0 unchanged; 2 relations added." in followed.content.decode()

    again = upload(client, workbook(GOOD_ITEMS, GOOD_RELATIONS))
    assert again.status_code == 302
    assert "0 items created, 0 updated, 3 unchanged; 0 relations added." in client.get(again["Location"]).content.decode()
    esx02.refresh_from_db()
    assert esx02.version == 1 and Relation.objects.count() == 2


def test_existing_items_are_updated_and_an_empty_cell_clears_an_attribute(org, server_type):
    item = make_item(server_type, org.it, "esx01", name="Old name", attributes={"ram_gb": 8, "os": "Debian 12", "rack": "R7"})
    client = org.client_for("smo_it")
    header = ["type", "identifier", "name", "domain", "status", "ram_gb", "os"]
    response = upload(client, workbook([["SERVER", "ESX01", "New name", "IT", "retired", 16, ""]], item_header=header))
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert (item.name, item.status, item.version) == ("New name", "retired", 2)
    assert item.attributes == {"ram_gb": 16, "rack": "R7"}  # os cleared; rack not in the sheet, kept
    assert ConfigurationItem.objects.count() == 1


def test_csv_items_with_a_separate_relations_file(org, server_type, app_type):
    client = org.client_for("cm_it")
    items = csv_file(ITEM_HEADER, GOOD_ITEMS)
    relations = csv_file(RELATION_HEADER, GOOD_RELATIONS)
    response = upload(client, items, "items.csv", relations, "relations.csv")
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ConfigurationItem.objects.count() == 3 and Relation.objects.count() == 2


def test_one_bad_row_stores_nothing_and_every_problem_is_listed(org, server_type, app_type):
    client = org.client_for("cm_it")
    rows = [
        *GOOD_ITEMS,
        ["SERVER", "esx03", "Host 3", "IT", "in use", "lots", None, None],  # row 5
        ["SERVER", "esx04", "Host 4", "NOPE", "broken", 8, "Linux", None],  # row 6
        ["SERVER", "esx01", "Again", "IT", "", 8, None, None],  # row 7
        ["SERVER", "esx05", "", "IT", "", None, None, "Dell"],  # row 8
        ["ROUTER", "r1", "Router", "IT", "", None, None, None],  # row 9
    ]
    relations = [*GOOD_RELATIONS, ["APP", "erp", "hosts", "SERVER", "nowhere"]]
    response = upload(client, workbook(rows, relations))
    assert response.status_code == 400
    page = response.content.decode()
    errors = response.context["errors"]
    found = {(e.row, e.column, e.message) for e in errors}
    assert (5, "ram_gb", "'lots' is not a whole number.") in found
    assert (6, "domain", "No domain with code “NOPE”.") in found
    assert (6, "status", "Use one of: planned, in use, maintenance, retired.") in found
    assert (6, "os", "'Linux' is not one of: Debian 12, Windows Server 2022.") in found
    assert (7, "identifier", "The same item is on row 2.") in found
    assert (8, "name", "This field cannot be blank.") in found
    assert (8, "ram_gb", "'ram_gb' is required for type Server.") in found
    assert (8, "vendor", "Unknown attribute 'vendor' for type Server.") in found
    assert (9, "type", "No item type with code “ROUTER”.") in found
    assert (4, "relations: kind", "Use one of: runs_on, depends_on, connected_to.") in found
    assert (4, "relations: target_identifier", "No Server “nowhere” in the register or on the items sheet.") in found
    assert 'id="import-errors"' in page and "&#x27;lots&#x27; is not a whole number." in page
    assert "nothing was imported" in page
    assert ConfigurationItem.objects.count() == 0 and Relation.objects.count() == 0


def test_a_cycle_among_the_imported_relations_stores_nothing(org, server_type, app_type):
    existing = make_item(server_type, org.it, "esx09")
    client = org.client_for("cm_it")
    rows = [["SERVER", "vm1", "VM 1", "IT", "", 4, None, None], ["SERVER", "vm2", "VM 2", "IT", "", 4, None, None]]
    relations = [
        ["SERVER", "vm1", "runs_on", "SERVER", "vm2"],
        ["SERVER", "vm2", "depends_on", "SERVER", "esx09"],
        ["SERVER", "esx09", "runs_on", "SERVER", "vm1"],
    ]
    response = upload(client, workbook(rows, relations))
    assert response.status_code == 400
    messages = [e.message for e in response.context["errors"]]
    assert any("would depend on itself through" in m for m in messages), messages
    assert ConfigurationItem.objects.count() == 1 and Relation.objects.count() == 0
    existing.refresh_from_db()
    assert existing.version == 1


def test_header_problems_are_named(org, server_type):
    client = org.client_for("cm_it")
    response = upload(client, csv_file(["type", "identifier", "colour"], [["SERVER", "x", "red"]]), "items.csv")
    found = {(e.row, e.column) for e in response.context["errors"]}
    assert (1, "colour") in found and (1, "name") in found and (1, "domain") in found


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("register.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file."),
        ("register.xlsx", b"this is not a workbook", "The file is not a valid Excel workbook (.xlsx)."),
        ("register.csv", b"", "The submitted file is empty."),
        ("register.csv", b"type,identifier,name,domain\n", "The file has no rows below its header."),
    ],
)
def test_a_wrong_file_is_refused_clearly(org, name, content, words):
    response = upload(org.client_for("cm_it"), content, name)
    assert response.status_code == 400
    assert words in response.content.decode()
    assert ConfigurationItem.objects.count() == 0


def test_a_large_file_runs_as_a_job_and_its_page_lists_the_problems(org, server_type, app_type, monkeypatch):
    monkeypatch.setattr(views, "INLINE_ROWS", 2)
    client = org.client_for("cm_it")
    good = [["SERVER", f"h{n}", f"Host {n}", "IT", "", n + 1, None, None] for n in range(5)]
    response = upload(client, workbook(good))
    job = Job.objects.get(task="configuration.import_items")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert ConfigurationItem.objects.count() == 0
    jobs.run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["created"] == 5 and ConfigurationItem.objects.count() == 5

    bad = [*good, ["SERVER", "h9", "Host 9", "IT", "", "lots", None, None]]
    upload(client, workbook(bad))
    jobs.run_pending()
    failed = Job.objects.filter(task="configuration.import_items").latest("pk")
    assert failed.status == JobStatus.FAILED
    assert {"row": 7, "column": "ram_gb", "message": "'lots' is not a whole number."} in failed.result["errors"]
    page = client.get(f"/jobs/{failed.pk}/").content.decode()
    assert 'id="import-errors"' in page and "ram_gb" in page
    assert ConfigurationItem.objects.count() == 5


def test_the_api_queues_an_import(org, server_type, app_type):
    client = org.client_for("cm_it")
    response = client.post(
        "/api/configuration-items/import",
        {"items": SimpleUploadedFile("register.xlsx", workbook(GOOD_ITEMS, GOOD_RELATIONS))},
    )
    assert response.status_code == 202, response.content
    jobs.run_pending()
    state = client.get(response.json()["url"]).json()
    assert state["status"] == "succeeded" and state["result"]["relations"] == 2
    wrong = client.post("/api/configuration-items/import", {"items": SimpleUploadedFile("x.txt", b"a")})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "items"
    assert (
        org.client_for("member_it")
        .post("/api/configuration-items/import", {"items": SimpleUploadedFile("r.csv", b"type\n")})
        .status_code
        == 403
    )


def test_keepers_import_only_where_they_may_add(org, server_type, app_type):
    client = org.client_for("cm_it")
    response = upload(client, workbook([["SERVER", "hr1", "HR host", "HR", "", 8, None, None]]))
    assert response.status_code == 400
    assert {(e.row, e.column) for e in response.context["errors"]} == {(2, "domain")}
    assert org.client_for("member_it").get("/configuration-items/import/").status_code == 403


def test_templates_have_the_type_columns(org, server_type):
    client = org.client_for("cm_it")
    xlsx = client.get(f"/configuration-item-types/{server_type.pk}/template/")
    assert xlsx["Content-Disposition"] == 'attachment; filename="configuration-items-SERVER.xlsx"'
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:2] == ["items", "relations"]
    header = [c.value for c in book["items"][1]]
    assert header[:4] == ["type", "identifier", "name", "domain"] and header[-6:] == [
        "ram_gb",
        "os",
        "purchased",
        "virtualised",
        "cost",
        "rack",
    ]
    assert [c.value for c in book["relations"][1]] == RELATION_HEADER
    csv = client.get(f"/configuration-item-types/{server_type.pk}/template/?format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].endswith("ram_gb,os,purchased,virtualised,cost,rack")
    # the template, filled in, imports
    book["items"].append(["SERVER", "t1", "From the template", "IT", "planned", "", "", "", 4])
    buffer = io.BytesIO()
    book.save(buffer)
    assert upload(client, buffer.getvalue()).status_code == 302
    assert ConfigurationItem.objects.get(identifier="t1").status == "planned"
    page = client.get("/configuration-items/import/").content.decode()
    assert f"/configuration-item-types/{server_type.pk}/template/?format=csv" in page
