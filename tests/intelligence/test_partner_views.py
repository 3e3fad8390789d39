"""Partner dataset pages: who may declare, see and upload (sensitive datasets included),
uploading through the page, errors shown, periods replaced, and the demo datasets."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saferstat.core.models import AuditEvent
from saferstat.intelligence.datasets.services import partner_dataset_declare
from saferstat.intelligence.models import DEMO_LABEL, ImportStatus, PartnerDataset, PartnerUpload

ROLES = ["admin", "analyst", "lead", "board", "scrutiny"]
# Three Rotherham wards (2024): Anston & Woodsetts, Aston & Todwick, Aughton & Swallownest.
WARDS = ["E05012993", "E05012994", "E05012995"]
SHEFFIELD_WARD = "E05010863"
KNIFE = {
    "granularity": "month",
    "area_level": "ward",
    "columns": [
        {"name": "Month", "type": "period"},
        {"name": "Ward code", "type": "area"},
        {"name": "Offence", "type": "category", "allowed": ["Possession", "Robbery"]},
        {"name": "Offences", "type": "count"},
    ],
}


def declare(partnership, admin, slug="knife-crime", *, sensitive=False, shared=False, **kwargs):
    return partner_dataset_declare(
        partnership=partnership,
        by=admin,
        name=kwargs.pop("name", slug.replace("-", " ").capitalize()),
        slug=slug,
        schema=kwargs.pop("schema", KNIFE),
        sensitive=sensitive,
        shared_with_scrutiny=shared,
        **kwargs,
    )


def csv_file(name: str, rows: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, ("\r\n".join(["Month,Ward code,Offence,Offences", *rows]) + "\r\n").encode()
    )


def files_of(root) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


# --- declaring -----------------------------------------------------------------------------


def declare_post(**overrides) -> dict:
    data = {
        "name": "Knife crime",
        "slug": "",
        "description": "From the police <b>monthly</b> return",
        "organisation": "",
        "granularity": "month",
        "area_level": "ward",
        "sensitive": "on",
        "columns-TOTAL_FORMS": "8",
        "columns-INITIAL_FORMS": "0",
        "columns-MIN_NUM_FORMS": "0",
        "columns-MAX_NUM_FORMS": "30",
        "columns-0-name": "Month",
        "columns-0-type": "period",
        "columns-1-name": "Ward code",
        "columns-1-type": "area",
        "columns-2-name": "Offence",
        "columns-2-type": "category",
        "columns-2-allowed": "Possession; Robbery ;",
        "columns-3-name": "Offences",
        "columns-3-type": "count",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_admin_declares_a_dataset_with_the_form(client, overview_warehouse, rotherham, members):
    client.force_login(members["admin"])
    page = client.get("/p/rotherham/datasets/declare/")
    assert page.status_code == 200 and b"Columns of the file" in page.content
    response = client.post("/p/rotherham/datasets/declare/", declare_post())
    assert (
        response.status_code == 302 and response["Location"] == "/p/rotherham/datasets/knife-crime/"
    )
    dataset = PartnerDataset.objects.get()
    assert (dataset.slug, dataset.sensitive, dataset.description) == (
        "knife-crime",
        True,
        "From the police monthly return",  # plain text: markup removed
    )
    schema = dataset.dataset_schema()
    assert schema.column("Offence").allowed == ("Possession", "Robbery")
    assert (schema.granularity, schema.area_level, schema.count_column) == (
        "month",
        "ward",
        "Offences",
    )
    event = AuditEvent.objects.get(verb="dataset.declare")
    assert event.actor == members["admin"] and event.after["slug"] == "knife-crime"
    detail = client.get(response["Location"])
    assert b"Knife crime" in detail.content and b"No data has been loaded" in detail.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"columns-1-type": "period"}, b"Declare exactly one period column (found 2)"),
        ({"columns-0-type": ""}, b"Declare exactly one period column (found 0)"),
        ({"columns-3-name": "offence"}, b"Two columns are called"),
        ({"name": ""}, b"Enter a name for the dataset."),
        ({"slug": "declare"}, b"cannot be used as a short name"),
    ],
)
def test_a_bad_declaration_is_shown_and_nothing_is_saved(
    client, overview_warehouse, rotherham, members, overrides, message
):
    client.force_login(members["admin"])
    response = client.post("/p/rotherham/datasets/declare/", declare_post(**overrides))
    assert response.status_code == 400
    assert message in response.content and b"There is a problem" in response.content
    assert not PartnerDataset.objects.exists()


@pytest.mark.django_db
def test_a_short_name_is_unique_in_the_partnership(client, overview_warehouse, rotherham, members):
    declare(rotherham, members["admin"])
    client.force_login(members["admin"])
    response = client.post("/p/rotherham/datasets/declare/", declare_post())
    assert response.status_code == 400 and b"already exists in this partnership" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["analyst", "lead", "board", "scrutiny"])
def test_only_admins_declare(client, overview_warehouse, rotherham, members, role):
    client.force_login(members[role])
    assert client.post("/p/rotherham/datasets/declare/", declare_post()).status_code == 403
    assert not PartnerDataset.objects.exists()
    page = client.get("/p/rotherham/datasets/")
    assert page.status_code == 200 and b"Declare a dataset" not in page.content


# --- who sees what -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_sensitive_datasets_are_hidden_from_scrutiny_unless_shared(
    client, overview_warehouse, rotherham, members, role
):
    admin = members["admin"]
    declare(rotherham, admin, "knife-crime", name="Knife crime")
    declare(rotherham, admin, "domestic-abuse", name="Domestic abuse referrals", sensitive=True)
    declare(rotherham, admin, "hate-incidents", name="Hate incidents", sensitive=True, shared=True)
    client.force_login(members[role])
    listing = client.get("/p/rotherham/datasets/").content
    scrutiny = role == "scrutiny"
    assert b"Knife crime" in listing and b"Hate incidents" in listing
    assert (b"Domestic abuse referrals" in listing) is not scrutiny
    assert client.get("/p/rotherham/datasets/knife-crime/").status_code == 200
    assert client.get("/p/rotherham/datasets/hate-incidents/").status_code == 200
    assert client.get("/p/rotherham/datasets/domestic-abuse/").status_code == (
        404 if scrutiny else 200
    )
    assert client.get("/p/rotherham/datasets/no-such-thing/").status_code == 404


@pytest.mark.django_db
def test_an_admin_shares_a_sensitive_dataset_with_scrutiny(
    client, overview_warehouse, rotherham, members
):
    declare(rotherham, members["admin"], "domestic-abuse", name="Domestic abuse", sensitive=True)
    client.force_login(members["scrutiny"])
    assert client.get("/p/rotherham/datasets/domestic-abuse/").status_code == 404
    client.force_login(members["admin"])
    response = client.post(
        "/p/rotherham/datasets/domestic-abuse/edit/",
        {"name": "Domestic abuse referrals", "sensitive": "on", "shared_with_scrutiny": "on"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="dataset.update")
    assert (event.before["shared_with_scrutiny"], event.after["shared_with_scrutiny"]) == (
        False,
        True,
    )
    client.force_login(members["scrutiny"])
    page = client.get("/p/rotherham/datasets/domestic-abuse/")
    assert page.status_code == 200 and b"Shared with scrutiny" in page.content
    assert client.get("/p/rotherham/datasets/domestic-abuse/upload/").status_code == 403


@pytest.mark.django_db
def test_another_partnerships_dataset_and_uploads_are_not_found(
    client, overview_warehouse, rotherham, sheffield, members, make_member
):
    other_admin = make_member(sheffield, "admin", username="shef-admin")
    theirs = declare(sheffield, other_admin, "sheffield-only")
    upload = PartnerUpload.objects.create(
        partnership=sheffield,
        dataset=theirs,
        uploaded_by=other_admin,
        original_name="x.csv",
        stored_path="/none",
        size_bytes=1,
    )
    ours = declare(rotherham, members["admin"])
    client.force_login(members["admin"])
    assert client.get("/p/rotherham/datasets/sheffield-only/").status_code == 404
    assert client.get(f"/p/rotherham/datasets/{ours.slug}/uploads/{upload.pk}/").status_code == 404
    assert client.get("/p/sheffield/datasets/sheffield-only/").status_code == 403
    assert b"Sheffield only" not in client.get("/p/rotherham/datasets/").content


# --- uploading -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_admins_and_analysts_upload(
    client, overview_warehouse, rotherham, members, role, django_capture_on_commit_callbacks
):
    declare(rotherham, members["admin"])
    client.force_login(members[role])
    allowed = role in ("admin", "analyst")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/p/rotherham/datasets/knife-crime/upload/",
            {"file": csv_file("knife.csv", [f"2024-05,{WARDS[0]},Possession,3"])},
        )
    assert response.status_code == (302 if allowed else 403)
    assert PartnerUpload.objects.filter(status=ImportStatus.SUCCEEDED).exists() == allowed


@pytest.mark.django_db
def test_an_upload_is_checked_stored_counted_and_audited(
    client, overview_warehouse, rotherham, members, django_capture_on_commit_callbacks
):
    dataset = declare(rotherham, members["admin"])
    client.force_login(members["analyst"])
    rows = [
        f"2024-04,{WARDS[0]},Possession,3",
        f"2024-04,{WARDS[1]},Robbery,2",
        f"2024-05,{WARDS[0]},possession,4",
        f"2024-06,{WARDS[2]},Robbery,0",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/p/rotherham/datasets/knife-crime/upload/", {"file": csv_file("knife 2024.csv", rows)}
        )
    run = PartnerUpload.objects.get()
    assert response["Location"] == f"/p/rotherham/datasets/knife-crime/uploads/{run.pk}/"
    assert run.status == ImportStatus.SUCCEEDED, run.errors
    assert (run.rows_loaded, run.periods, run.periods_replaced) == (
        4,
        ["2024-04", "2024-05", "2024-06"],
        [],
    )
    assert run.original_name == "knife 2024.csv" and len(run.source_sha256) == 64
    verbs = AuditEvent.objects.filter(object_type="intelligence.PartnerUpload").values_list(
        "verb", flat=True
    )
    assert sorted(verbs) == ["dataset.load", "dataset.upload"]

    page = client.get(response["Location"])
    assert b'id="rows-loaded">4<' in page.content and b"Added new periods" in page.content
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"upload-progress" in partial.content
    assert b"hx-trigger" not in partial.content  # finished: it stops polling

    detail = client.get("/p/rotherham/datasets/knife-crime/").content.decode()
    assert "Figures, 2024/25" in detail
    assert "Incomplete year: nothing loaded for 2024-07, 2024-08" in detail
    assert "Anston &amp; Woodsetts" in detail and "Aughton &amp; Swallownest" in detail
    assert "<strong>9</strong>" in detail  # total of the periods loaded
    assert dataset.warehouse_dataset in detail
    other_year = client.get("/p/rotherham/datasets/knife-crime/?year=2023-24").content.decode()
    assert "Figures, 2023/24" in other_year and "Incomplete year" in other_year
    assert client.get("/p/rotherham/datasets/knife-crime/?year=2024").status_code == 404

    # The same month again replaces it; the others stay.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/p/rotherham/datasets/knife-crime/upload/",
            {"file": csv_file("may.csv", [f"2024-05,{WARDS[1]},Robbery,10"])},
        )
    again = PartnerUpload.objects.order_by("-id").first()
    assert (again.status, again.periods, again.periods_replaced) == (
        ImportStatus.SUCCEEDED,
        ["2024-05"],
        ["2024-05"],
    )
    detail = client.get("/p/rotherham/datasets/knife-crime/").content.decode()
    assert "<strong>15</strong>" in detail  # 5 (April) + 10 (May, replaced) + 0 (June)


@pytest.mark.django_db
def test_a_broken_upload_shows_every_error_and_stores_nothing(
    client, overview_warehouse, rotherham, members, django_capture_on_commit_callbacks
):
    declare(rotherham, members["admin"])
    before = files_of(overview_warehouse)
    client.force_login(members["analyst"])
    rows = [
        f"2024-05,{WARDS[0]},Possession,3",
        f"2024-13,{WARDS[0]},Possession,1",
        f"2024-05,{SHEFFIELD_WARD},Possession,1",
        f"2024-05,{WARDS[1]},Knives,-2",
        f"2024-05,{WARDS[0]},Possession,5",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/p/rotherham/datasets/knife-crime/upload/", {"file": csv_file("knife.csv", rows)}
        )
    run = PartnerUpload.objects.get()
    assert run.status == ImportStatus.FAILED and run.error_total == 5
    assert run.errors == [
        "knife.csv:3: Month: '2024-13' is not a month: the month must be 1 to 12",
        f"knife.csv:4: Ward code: '{SHEFFIELD_WARD}' is not one of this partnership's wards (2024 ONS wards)",
        "knife.csv:5: Offence: 'Knives' is not one of: Possession, Robbery",
        "knife.csv:5: Offences: -2 is negative: a count must be 0 or more",
        "knife.csv:6: row: duplicate of line 2 (same period, area and Offence): give one row with the total",
    ]
    assert files_of(overview_warehouse) == before
    assert AuditEvent.objects.filter(verb="dataset.refuse").exists()
    page = client.get(f"/p/rotherham/datasets/knife-crime/uploads/{run.pk}/").content.decode()
    assert "nothing from it was stored" in page and "5 problems" in page
    assert "knife.csv:5: Offences: -2 is negative" in page
    assert (
        "No data has been loaded"
        in client.get("/p/rotherham/datasets/knife-crime/").content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("knife.txt", b"x", b"must be a CSV file (.csv) or an Excel workbook (.xlsx)"),
        ("knife.csv", b"", b"The selected file is empty"),
    ],
)
def test_upload_form_errors(client, overview_warehouse, rotherham, members, name, body, message):
    declare(rotherham, members["admin"])
    client.force_login(members["analyst"])
    response = client.post(
        "/p/rotherham/datasets/knife-crime/upload/", {"file": SimpleUploadedFile(name, body)}
    )
    assert response.status_code == 400 and message in response.content
    assert not PartnerUpload.objects.exists()


@pytest.mark.django_db
def test_an_xlsx_upload_with_a_formula_is_refused(
    client, overview_warehouse, rotherham, members, django_capture_on_commit_callbacks, tmp_path
):
    import openpyxl

    declare(rotherham, members["admin"])
    book = openpyxl.Workbook()
    book.active.append(["Month", "Ward code", "Offence", "Offences"])
    book.active.append(["2024-05", WARDS[0], "Possession", "=2+2"])
    book.save(tmp_path / "knife.xlsx")
    client.force_login(members["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/p/rotherham/datasets/knife-crime/upload/",
            {"file": SimpleUploadedFile("knife.xlsx", (tmp_path / "knife.xlsx").read_bytes())},
        )
    run = PartnerUpload.objects.get()
    assert run.status == ImportStatus.FAILED
    assert run.errors[0].startswith("knife.xlsx:2: Offences: holds a formula ('=2+2')")


@pytest.mark.django_db
def test_the_template_is_the_header_row(client, overview_warehouse, rotherham, members):
    declare(rotherham, members["admin"])
    client.force_login(members["analyst"])
    response = client.get("/p/rotherham/datasets/knife-crime/template.csv")
    # UTF-8 with a byte-order mark, as every CSV download (saferstat.core.exports).
    assert response.content == b"\xef\xbb\xbfMonth,Ward code,Offence,Offences\r\n"
    assert response["Content-Disposition"] == 'attachment; filename="knife-crime-template.csv"'


# --- the demo datasets ---------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_partner_data_loads_through_the_checks_and_is_labelled(client, overview_warehouse):
    from saferstat.core.demo import demo_install
    from saferstat.core.models import User
    from saferstat.intelligence.datasets.demo import DATASETS, demo_partner_install

    demo_install()
    report = demo_partner_install(("rotherham",))
    assert len(report) == len(DATASETS) == 6
    datasets = PartnerDataset.objects.filter(partnership__slug="rotherham")
    assert datasets.count() == 6 and all(d.is_demo for d in datasets)
    assert PartnerUpload.objects.filter(status=ImportStatus.SUCCEEDED).count() == 6
    assert {u.uploaded_by.username for u in PartnerUpload.objects.all()} == {"rotherham-analyst"}
    assert set(
        AuditEvent.objects.filter(verb="dataset.declare").values_list("actor__username", flat=True)
    ) == {"rotherham-admin"}
    # Running it again changes nothing.
    assert all(line.endswith("already loaded") for line in demo_partner_install(("rotherham",)))
    assert PartnerUpload.objects.count() == 6

    client.force_login(User.objects.get(username="rotherham-analyst"))
    listing = client.get("/p/rotherham/datasets/").content.decode()
    assert listing.count(DEMO_LABEL) == 6
    for spec in DATASETS:
        page = client.get(f"/p/rotherham/datasets/{spec.slug}/").content.decode()
        assert DEMO_LABEL in page and "Figures, 2024/25" in page, spec.slug  # latest complete year
    client.force_login(User.objects.get(username="rotherham-scrutiny"))
    visible = client.get("/p/rotherham/datasets/").content.decode()
    assert "Knife crime" in visible and "Hate incidents and outcomes" in visible  # shared
    assert "Domestic abuse referrals" not in visible and "CSE and CCE" not in visible
