"""The contacts and support services directory: kept as records (analysts and admins add,
change and remove entries through audited services, with a confirmation for removal),
validated (phone digits, spaces and +; web address http:// or https://), printed first in the
annual report's "Contacts and support services" section, and the demo's invented services."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from saferstat.core.models import AuditEvent
from saferstat.reports import selectors, services
from saferstat.reports.models import Report, SupportService
from tests.performance.factories import plan_world

URL = "/p/rotherham/reports/contacts/"
FIELDS = {
    "name": "Victim support line (demo)",
    "purpose": "Support for anyone affected by crime",
    "phone": "0114 496 0101",
    "web_address": "https://victim-support.example.org/",
    "hours": "24 hours",
    "order": "10",
}


def _save(rotherham, by, **changes):
    values = {**FIELDS, "order": 10, **changes}
    return services.support_service_save(partnership=rotherham, by=by, **values)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "0114-496-0101"),
        ("phone", "call 0114 496 0101"),
        ("phone", "01 + 14"),
        ("web_address", "www.example.org"),
        ("web_address", "javascript:alert(1)"),
        ("web_address", "ftp://example.org/"),
        ("web_address", "https://"),
        ("name", ""),
    ],
)
def test_a_bad_entry_is_refused_on_its_field(rotherham, members, field, value):
    with pytest.raises(ValidationError) as caught:
        _save(rotherham, members["analyst"], **{field: value})
    assert field in caught.value.message_dict
    assert not SupportService.objects.exists()


@pytest.mark.django_db
def test_good_entries_are_saved_and_audited_and_only_analysts_and_admins_may(rotherham, members):
    first = _save(rotherham, members["analyst"], phone="+44 114 496 0101")
    assert first.phone == "+44 114 496 0101"
    _save(rotherham, members["admin"], name="Helpline (demo)", web_address="http://x.example.org")
    with pytest.raises(ValidationError) as caught:  # one name once per partnership
        _save(rotherham, members["admin"], name="victim SUPPORT line (demo)")
    assert "name" in caught.value.message_dict
    changed = services.support_service_save(
        partnership=rotherham, by=members["admin"], service=first, name=first.name, hours="9 to 5"
    )
    assert changed.hours == "9 to 5" and changed.phone == ""
    verbs = list(
        AuditEvent.objects.filter(object_type="reports.SupportService")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["support_service.create", "support_service.create", "support_service.update"]
    update = AuditEvent.objects.filter(verb="support_service.update").get()
    assert update.before["hours"] == "24 hours" and update.after["hours"] == "9 to 5"
    for role in ("lead", "board", "scrutiny"):
        with pytest.raises(PermissionDenied):
            _save(rotherham, members[role], name=f"By {role}")
        with pytest.raises(PermissionDenied):
            services.support_service_remove(service=first, by=members[role])
    services.support_service_remove(service=first, by=members["analyst"])
    assert [s.name for s in selectors.support_service_list(rotherham)] == ["Helpline (demo)"]
    removed = AuditEvent.objects.get(verb="support_service.remove")
    assert removed.before["name"] == "Victim support line (demo)"


@pytest.mark.django_db
def test_the_pages_add_change_and_remove_with_a_confirmation(client, rotherham, members):
    client.force_login(members["analyst"])
    bad = client.post(URL, {**FIELDS, "phone": "0114 496 01O1"})
    assert bad.status_code == 400
    assert "digits and spaces" in bad.content.decode()
    assert client.post(URL, FIELDS).status_code == 302
    service = SupportService.objects.get()
    page = client.get(URL).content.decode()
    assert "Victim support line (demo)" in page and "0114 496 0101" in page
    edit = f"{URL}{service.pk}/"
    bad = client.post(edit, {**FIELDS, "web_address": "victim-support.example.org"})
    assert bad.status_code == 400 and "https://" in bad.content.decode()
    assert client.post(edit, {**FIELDS, "hours": "Weekdays"}).status_code == 302
    service.refresh_from_db()
    assert service.hours == "Weekdays"
    remove = f"{edit}remove/"
    assert client.get(remove).status_code == 200
    unconfirmed = client.post(remove, {})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.content.decode()
    assert SupportService.objects.filter(pk=service.pk).exists()
    assert client.post(remove, {"confirm": "yes"}).status_code == 302
    assert not SupportService.objects.filter(pk=service.pk).exists()
    client.force_login(members["lead"])
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_the_annual_reports_contacts_section_prints_the_directory_first(rotherham, members):
    plan_world(
        rotherham,
        admin=members["admin"],
        analyst=members["analyst"],
        lead=members["lead"],
        other_lead=None,
    )
    _save(rotherham, members["analyst"], name="B line (demo)", order=20)
    _save(rotherham, members["analyst"], name="A line (demo)", order=30, phone="0114 496 0999")
    _save(rotherham, members["analyst"], name="C line (demo)", order=5, web_address="")
    report = services.report_create(
        partnership=rotherham, by=members["analyst"], kind="annual", period="2024/25"
    )
    sections = {s["key"]: s for s in selectors.build_sections(report)}
    tables = sections["contacts"]["data"]["tables"]
    assert tables[0]["key"] == "contacts-services"
    assert [r["label"] for r in tables[0]["rows"]] == [
        "C line (demo)",
        "B line (demo)",
        "A line (demo)",
    ]
    a_line = tables[0]["rows"][2]["cells"]
    assert [c["value"] for c in a_line] == [
        FIELDS["purpose"],
        "0114 496 0999",
        FIELDS["web_address"],
        FIELDS["hours"],
    ]
    # Then what the section printed before: the leads of the plan's priorities.
    assert tables[-1]["key"] == "contacts-leads"
    # A service removed is gone from the next build.
    services.support_service_remove(
        service=SupportService.objects.get(name="B line (demo)"), by=members["admin"]
    )
    sections = {s["key"]: s for s in selectors.build_sections(report)}
    rows = sections["contacts"]["data"]["tables"][0]["rows"]
    assert [r["label"] for r in rows] == ["C line (demo)", "A line (demo)"]


@pytest.mark.django_db
def test_the_demo_directory_is_invented_and_uses_drama_numbers(rotherham, members):
    out = io.StringIO()
    call_command("demo_reports", stdout=out)
    call_command("demo_reports", stdout=io.StringIO())  # safe to run again
    listed = list(selectors.support_service_list(rotherham))
    assert len(listed) == 4 and "4 demo support service(s)" in out.getvalue()
    # The demo year's annual report is started once, its first build queued (for the
    # worker, after the transaction commits).
    (report,) = Report.objects.filter(partnership=rotherham, kind="annual", period="2024/25")
    assert report.versions.count() == 1 and "first build is queued" in out.getvalue()
    for service in listed:
        assert service.name.endswith("(demo)")
        digits = service.phone.replace(" ", "")
        assert digits.startswith("01144960") and 0 <= int(digits[-3:]) <= 999
        assert service.web_address.startswith("https://") and ".example.org/" in service.web_address
