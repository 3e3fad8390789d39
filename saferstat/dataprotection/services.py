"""Every personal-data write: retention periods, the retention job that erases expired
personal fields, the subject-access export and erasure on request. Each checks permission
(`core.permissions`), works from the one declaration (`declaration.py`) and is audited
inside its transaction. Erasing keeps the record and its counts: only the declared fields
are blanked (``""``, or ``[erased]`` where the field must hold something), in the record
and in the audit log's before/after snapshots of it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from saferstat.analytics.periods import add_months_to_day
from saferstat.core import audit
from saferstat.core.models import AuditEvent, Partnership, User
from saferstat.core.permissions import require, require_personal_data
from saferstat.core.sanitise import clean_plain
from saferstat.governance.jobs import scheduled_run
from saferstat.governance.models import JobRun

from .declaration import BY_KEY, RECORD_TYPES, PersonalModel, RecordType
from .models import Erasure, ErasureReason, RequestKind, RetentionPeriod, SubjectRequest

ERASED = "[erased]"
JOB = "dataprotection.retention"
#: Who the retention job acts as in the audit log.
JOB_ACTOR = "scheduled retention"
#: Never exported, even in the person's own export.
SECRET_FIELDS = frozenset({"password"})
MIN_SEARCH = 3


def model_of(label: str) -> type[models.Model]:
    return apps.get_model(label)


# ------------------------------------------------------------------------ retention


def period_months(partnership: Partnership, record_type: RecordType) -> int | None:
    """The partnership's retention period for a record type, in months (None: kept)."""
    if record_type.default_months is None:
        return None
    own = RetentionPeriod.objects.filter(
        partnership=partnership, record_type=record_type.key
    ).first()
    return own.months if own else record_type.default_months


@transaction.atomic
def retention_set(
    *, partnership: Partnership, by: User, record_type: str, months: int
) -> RetentionPeriod:
    """Set how many months after its clock a record type's personal fields are kept."""
    require(by, "personaldata.retention", partnership)
    kind = BY_KEY.get(record_type)
    if kind is None:
        raise ValidationError({"record_type": "Choose a record type."})
    if kind.default_months is None:
        raise ValidationError({"record_type": f"{kind.label} are not erased on a schedule."})
    if not 1 <= int(months) <= 600:
        raise ValidationError({"months": "A retention period is 1 to 600 months."})
    current = RetentionPeriod.objects.filter(partnership=partnership, record_type=kind.key).first()
    before = audit.snapshot(current) if current else None
    current = current or RetentionPeriod(partnership=partnership, record_type=kind.key)
    current.months = int(months)
    current.save()
    audit.record(
        actor=by,
        verb="retention.set",
        obj=current,
        partnership=partnership,
        before=before,
        after=audit.snapshot(current),
    )
    return current


def closed_on(record_type: RecordType, obj: models.Model) -> dt.date | None:
    """When the record's retention clock started: the day it closed (None: still open, or
    a record type that is kept)."""
    key = record_type.key
    if key == "case_review":
        if not obj.decision or obj.informed_on is None:
            return None
        days = [obj.informed_on]
        if obj.decision == "met":
            if obj.review_on is None:
                return None
            days.append(obj.review_on)
        appeal = model_of("casereviews.Appeal").objects.filter(application=obj).first()
        if appeal is not None:
            if appeal.decided_on is None:
                return None
            days.append(appeal.decided_on)
        return max(days)
    if key == "call_for_action":
        return obj.closed_on if obj.status == "closed" else None
    if key == "tension_report":
        return obj.reported_on
    if key == "consultation_response":
        return obj.consultation.ends_on
    return None


def _candidates(record_type: RecordType, partnership: Partnership, cutoff: dt.date):
    """Main records that may have closed on or before `cutoff` (closed_on decides)."""
    main = record_type.main
    rows = model_of(main.label).objects.filter(**{main.partnership: partnership})
    key = record_type.key
    if key == "case_review":
        rows = rows.filter(informed_on__lte=cutoff).exclude(decision="")
    elif key == "call_for_action":
        rows = rows.filter(status="closed", closed_on__lte=cutoff)
    elif key == "tension_report":
        rows = rows.filter(reported_on__lte=cutoff)
    elif key == "consultation_response":
        rows = rows.filter(consultation__ends_on__lte=cutoff).select_related("consultation")
    else:
        return rows.none()
    erased = Erasure.objects.filter(object_type=main.label).values_list("object_id", flat=True)
    return rows.exclude(pk__in=[int(pk) for pk in erased])


def _blank(model: type[models.Model], name: str) -> str:
    return "" if model._meta.get_field(name).blank else ERASED


def _erase_object(pm: PersonalModel, obj: models.Model) -> list[str]:
    """Blank the declared fields of one object and of its audit snapshots."""
    model = type(obj)
    changed = []
    for name in pm.fields:
        value = _blank(model, name)
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj.save(update_fields=changed)
    for event in AuditEvent.objects.filter(object_type=pm.label, object_id=str(obj.pk)):
        dirty = False
        for side in ("before", "after"):
            data = getattr(event, side)
            if isinstance(data, dict):
                for name in pm.fields:
                    if name in data and data[name] not in ("", ERASED):
                        data[name] = ERASED
                        dirty = True
        if dirty:
            AuditEvent.objects.filter(pk=event.pk).update(before=event.before, after=event.after)
    return changed


def erase_record(
    *,
    record_type: RecordType,
    obj: models.Model,
    partnership: Partnership,
    reason: str,
    by: User | None = None,
    request: SubjectRequest | None = None,
) -> Erasure:
    """Erase a main record's declared fields and those of the records erased with it.
    Called inside the caller's transaction (the retention job, erasure on request)."""
    main = record_type.main
    fields = {main.label: _erase_object(main, obj)}
    for pm in record_type.models[1:]:
        if not pm.root or not pm.fields:
            continue
        for child in model_of(pm.label).objects.filter(**{pm.root: obj}):
            fields[f"{pm.label}:{child.pk}"] = _erase_object(pm, child)
    erasure = Erasure.objects.create(
        partnership=partnership,
        record_type=record_type.key,
        object_type=main.label,
        object_id=str(obj.pk),
        reason=reason,
        request=request,
    )
    audit.record(
        actor=by,
        actor_label="" if by else JOB_ACTOR,
        verb="personal_data.erase",
        obj=obj,
        partnership=partnership,
        after={"reason": reason, "fields": sorted(main.fields)},
    )
    return erasure


def retention_run(*, partnership: Partnership, today: dt.date | None = None) -> JobRun:
    """Erase the personal fields of every record of the partnership whose retention period
    has ended, and keep the run (shown with the other scheduled jobs)."""
    today = today or timezone.localdate()
    counts: list[str] = []
    with scheduled_run(
        partnership=partnership, job=JOB, verb="retention.run", actor_label=JOB_ACTOR
    ) as run:
        with transaction.atomic():
            for record_type in RECORD_TYPES:
                months = period_months(partnership, record_type)
                if months is None:
                    continue
                cutoff = add_months_to_day(today, -months)
                erased = 0
                for obj in _candidates(record_type, partnership, cutoff):
                    closed = closed_on(record_type, obj)
                    if closed is not None and closed <= cutoff:
                        erase_record(
                            record_type=record_type,
                            obj=obj,
                            partnership=partnership,
                            reason=ErasureReason.RETENTION,
                        )
                        erased += 1
                counts.append(f"{erased} {record_type.label.lower()}")
            run.detail = "Erased: " + ", ".join(counts)
    return run


def retention_run_all(today: dt.date | None = None) -> list[JobRun]:
    return [retention_run(partnership=p, today=today) for p in Partnership.objects.all()]


# ------------------------------------------------------------- one person's data


@dataclass(frozen=True)
class Match:
    """A record a subject-access search found, with the fields that matched."""

    record_type: RecordType
    model: PersonalModel
    obj: models.Model
    matched: tuple[str, ...]
    closed: dt.date | None
    erased: bool

    @property
    def ref(self) -> str:
        return audit.object_ref(self.obj)

    @property
    def values(self) -> dict[str, str]:
        return {name: getattr(self.obj, name) for name in self.model.fields}


def _main_models() -> list[tuple[RecordType, PersonalModel]]:
    return [(r, m) for r in RECORD_TYPES for m in r.models if not m.root]


def search(*, partnership: Partnership, by: User, term: str) -> list[Match]:
    """Every record of the partnership whose identifying fields contain `term` (a name, an
    email, a phone number, an address). The search is audited; the term is not logged."""
    require_personal_data(by, partnership)
    term = clean_plain(term or "").strip()
    if len(term) < MIN_SEARCH:
        raise ValidationError({"q": f"Enter at least {MIN_SEARCH} characters."})
    found: list[Match] = []
    for record_type, pm in _main_models():
        if not pm.identifies:
            continue
        query = models.Q()
        for name in pm.identifies:
            query |= models.Q(**{f"{name}__icontains": term})
        model = model_of(pm.label)
        rows = model.objects.filter(query, **{pm.partnership: partnership}).distinct()
        erased = set(
            Erasure.objects.filter(object_type=pm.label).values_list("object_id", flat=True)
        )
        for obj in rows.order_by("pk")[:200]:
            matched = tuple(
                n for n in pm.identifies if term.lower() in str(getattr(obj, n) or "").lower()
            )
            found.append(
                Match(
                    record_type,
                    pm,
                    obj,
                    matched,
                    closed_on(record_type, obj),
                    str(obj.pk) in erased,
                )
            )
    with transaction.atomic():
        audit.record(
            actor=by,
            verb="personal_data.search",
            obj=partnership,
            partnership=partnership,
            after={"matches": [m.ref for m in found]},
        )
    return found


def _resolve(partnership: Partnership, refs: list[str]) -> list[Match]:
    """The records named by `refs` (``label:pk``), each checked to be declared and the
    partnership's: another partnership's record is refused as not found."""
    mains = {pm.label: (r, pm) for r, pm in _main_models()}
    out: list[Match] = []
    for ref in dict.fromkeys(refs):
        try:
            label, pk = audit.parse_object_ref(ref)
        except ValueError:
            raise ValidationError({"records": "Choose the records found."}) from None
        if label not in mains or not pk.isdigit():
            raise ValidationError({"records": "Choose the records found."})
        record_type, pm = mains[label]
        obj = (
            model_of(label)
            .objects.filter(pk=int(pk), **{pm.partnership: partnership})
            .distinct()
            .first()
        )
        if obj is None:  # another partnership's record, or none: not found
            raise Http404("No such record")
        erased = Erasure.objects.filter(object_type=label, object_id=pk).exists()
        out.append(Match(record_type, pm, obj, (), closed_on(record_type, obj), erased))
    if not out:
        raise ValidationError({"records": "Choose at least one record."})
    return out


def _value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _fields_of(obj: models.Model) -> dict:
    return {
        f.attname: _value(f.value_from_object(obj))
        for f in obj._meta.concrete_fields
        if f.name not in SECRET_FIELDS
    }


def _reference(value: str) -> str:
    reference = clean_plain(value or "").strip()[:100]
    if not reference:
        raise ValidationError({"reference": "Enter your reference for the request."})
    return reference


@transaction.atomic
def subject_export(
    *, partnership: Partnership, by: User, reference: str, refs: list[str]
) -> tuple[SubjectRequest, bytes]:
    """One person's subject-access export: every chosen record with all it holds, and the
    records erased with it (appeals, recommendations, ...), as a JSON file. Audited."""
    require_personal_data(by, partnership)
    reference = _reference(reference)
    matches = _resolve(partnership, refs)
    records = []
    for m in matches:
        related = []
        for pm in m.record_type.models[1:]:
            if not pm.root:
                continue
            for child in model_of(pm.label).objects.filter(**{pm.root: m.obj}).order_by("pk"):
                related.append({"record": audit.object_ref(child), "fields": _fields_of(child)})
        months = period_months(partnership, m.record_type)
        records.append(
            {
                "record": m.ref,
                "record_type": m.record_type.label,
                "description": str(m.obj),
                "lawful_basis": m.record_type.lawful_basis,
                "retention": (
                    f"{months} months after {m.record_type.clock}"
                    if months
                    else m.record_type.clock
                ),
                "personal_fields": list(m.model.fields),
                "erased": m.erased,
                "fields": _fields_of(m.obj),
                "related": related,
            }
        )
    request = SubjectRequest.objects.create(
        partnership=partnership,
        kind=RequestKind.ACCESS,
        reference=reference,
        records=[m.ref for m in matches],
        handled_by=by,
    )
    audit.record(
        actor=by,
        verb="personal_data.export",
        obj=request,
        partnership=partnership,
        after=audit.snapshot(request, ["kind", "reference", "records"]),
    )
    body = {
        "partnership": partnership.name,
        "request": reference,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "generated_by": str(by),
        "records": records,
    }
    return request, json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def erasure_refusal(match: Match) -> str:
    """Why a record cannot be erased on request, or "" when it can."""
    if match.record_type.erasable:
        return match.record_type.erasable
    if match.erased:
        return "Already erased."
    if match.closed is None:
        return (
            "The record is open: the partnership needs it to carry out its statutory duty "
            "(UK GDPR Art. 17(3)(b)). Erase it once it is closed."
        )
    return ""


@transaction.atomic
def subject_erase(
    *, partnership: Partnership, by: User, reference: str, refs: list[str], note: str
) -> SubjectRequest:
    """Erase the chosen records' personal fields on the person's request, where the law
    allows (closed records of a type that may be erased); the others are listed as refused
    with the reason. The officer records why erasure is allowed. Audited."""
    require_personal_data(by, partnership)
    reference = _reference(reference)
    note = clean_plain(note or "").strip()[:2000]
    if not note:
        raise ValidationError({"note": "Say why the law allows erasure (e.g. Art. 17(1)(a))."})
    matches = _resolve(partnership, refs)
    request = SubjectRequest.objects.create(
        partnership=partnership,
        kind=RequestKind.ERASURE,
        reference=reference,
        note=note,
        handled_by=by,
    )
    erased, refused = [], []
    for m in matches:
        reason = erasure_refusal(m)
        if reason:
            refused.append({"record": m.ref, "reason": reason})
            continue
        erase_record(
            record_type=m.record_type,
            obj=m.obj,
            partnership=partnership,
            reason=ErasureReason.REQUEST,
            by=by,
            request=request,
        )
        erased.append(m.ref)
    request.records, request.refused = erased, refused
    request.save(update_fields=["records", "refused"])
    audit.record(
        actor=by,
        verb="personal_data.erasure_request",
        obj=request,
        partnership=partnership,
        after=audit.snapshot(request, ["kind", "reference", "records", "refused", "note"]),
    )
    return request
