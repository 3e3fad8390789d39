"""The one declaration of personal data (saferstat/dataprotection/declaration.py) covers
every model: a field whose name looks like personal data must be declared or listed as not
personal, with the reason."""

from __future__ import annotations

import re

import pytest
from django.apps import apps

from saferstat.casereviews.models import PERSONAL_FIELDS
from saferstat.dataprotection import declaration
from saferstat.dataprotection.declaration import (
    BY_KEY,
    NOT_PERSONAL,
    RECORD_TYPES,
    declared,
    personal_fields,
)

#: Field names that suggest personal data.
LOOKS_PERSONAL = re.compile(
    r"name|email|e_mail|phone|mobile|tel|address|postcode|post_code|contact|location|"
    r"applicant|councillor|resident|victim|person|holder|substitute|owner|birth|dob|"
    r"gender|sex$|ethnic|disab|religio|nhs|national_insurance|ip_address|source|actor"
)
TEXT_TYPES = {"CharField", "TextField", "EmailField", "JSONField", "GenericIPAddressField"}


def _saferstat_models():
    return [m for m in apps.get_models() if m.__module__.startswith("saferstat.")]


def looks_personal(label: str, fields) -> list[tuple[str, str]]:
    """(model label, field) of text fields whose name looks like personal data."""
    return [
        (label, f.name)
        for f in fields
        if f.get_internal_type() in TEXT_TYPES and LOOKS_PERSONAL.search(f.name)
    ]


def test_every_field_that_looks_personal_is_declared_or_explained():
    held = {(label, name) for label, (_, pm) in declared().items() for name in pm.fields}
    missing = [
        f"{label}.{name}"
        for model in _saferstat_models()
        for label, name in looks_personal(model._meta.label, model._meta.concrete_fields)
        if (label, name) not in held and (label, name) not in NOT_PERSONAL
    ]
    assert not missing, (
        "Declare these fields in saferstat/dataprotection/declaration.py (a record type's "
        "personal fields) or list them in NOT_PERSONAL with the reason: " + ", ".join(missing)
    )


def test_the_check_catches_a_new_personal_field():
    """A new `resident_phone` field on a model is caught (the check can fail)."""
    from django.db import models

    phone, level = models.CharField(max_length=20), models.CharField(max_length=10)
    phone.set_attributes_from_name("resident_phone")
    level.set_attributes_from_name("level")
    found = looks_personal("casereviews.CallForAction", [phone, level])
    assert found == [("casereviews.CallForAction", "resident_phone")]
    assert found[0] not in NOT_PERSONAL
    assert "resident_phone" not in personal_fields("casereviews.CallForAction")


def test_every_declared_field_exists_and_lookups_resolve():
    for record_type in RECORD_TYPES:
        assert BY_KEY[record_type.key] is record_type
        assert not record_type.main.root, record_type.key
        for pm in record_type.models:
            model = apps.get_model(pm.label)
            names = {f.name for f in model._meta.get_fields()}
            for name in pm.fields:
                field = model._meta.get_field(name)
                assert field.get_internal_type() in TEXT_TYPES, f"{pm.label}.{name}"
            assert set(pm.identifies) <= set(pm.fields), pm.label
            assert pm.partnership.split("__")[0] in names, pm.label
            if pm.root:
                assert pm.root in names, pm.label
            # The lookup to the partnership is a real query.
            model.objects.filter(**{f"{pm.partnership}__slug": "x"}).query.__str__()


def test_not_personal_names_real_fields():
    for label, name in NOT_PERSONAL:
        apps.get_model(label)._meta.get_field(name)
        assert (label, name) not in {
            (lbl, n) for lbl, (_, pm) in declared().items() for n in pm.fields
        }


def test_case_reviews_use_the_one_declaration():
    assert PERSONAL_FIELDS == personal_fields("casereviews.Application")
    assert {"applicant_name", "applicant_contact", "location", "behaviour"} <= set(PERSONAL_FIELDS)
    # The models the issues name are covered.
    for label in (
        "casereviews.Application",
        "casereviews.CallForAction",
        "assessment.ConsultationResponse",
        "assessment.TensionReport",
        "core.User",
    ):
        assert personal_fields(label), label


@pytest.mark.django_db
def test_the_default_privacy_notice_states_the_declared_retention_periods():
    """The notice a partnership starts from says what the retention job will do."""
    from saferstat.core.models import Partnership
    from saferstat.core.privacy import default_notice

    partnership = Partnership.objects.create(name="Safer Testtown", slug="testtown")
    text = default_notice(partnership).retention
    wording = {
        declaration.CASE_REVIEW: "case review applications and calls for action: {years}",
        declaration.CALL_FOR_ACTION: "case review applications and calls for action: {years}",
        declaration.CONSULTATION_RESPONSE: "consultation answers: {years}",
        declaration.TENSION_REPORT: "community tension reports: {years}",
    }
    for record_type, phrase in wording.items():
        years = record_type.default_months // 12
        assert phrase.format(years=f"{years} years") in text, record_type.key
