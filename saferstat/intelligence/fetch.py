"""Fetch police.uk months by themselves: ``saferstat fetch`` and the scheduled task
``fetch_policeuk`` (docs/fetch.md).

One run downloads the police.uk archive (``SAFERSTAT_POLICEUK_ARCHIVE_URL``), checks it whole
(:mod:`saferstat.analytics.fetch`), and loads the months of the partnerships' forces that are
not loaded yet through the one way in, :func:`~.imports.services.publish_force_month`, as
a :class:`~.imports.services.SystemActor` ("scheduled fetch"). A month a fetch loaded before
and police.uk has reissued is replaced too, unless its total changes by more than
``SAFERSTAT_REPLACE_CONFIRM_SHARE``: such a month is left for a force administrator, with the
reason recorded. A month loaded by a person is never replaced by a fetch. Each run is a
:class:`FetchRun`, listed on the imports pages and in the audit log of every partnership of
the forces fetched.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from saferstat.analytics.fetch import (
    ArchiveError,
    ArchiveMember,
    FetchError,
    FetchPolicy,
    archive_url,
    check_archive,
    download,
    extract_members,
    remove_tree,
)
from saferstat.analytics.policeuk import PoliceUkValidationError
from saferstat.analytics.warehouse import STREET_DATASET, Warehouse, WarehouseError
from saferstat.core import audit
from saferstat.core.models import Partnership

from .fetch_models import FetchRun, FetchStatus
from .figures import load_warehouse, unpack_limits
from .imports.services import ConfirmationRequired, SystemActor, publish_force_month

#: Who the scheduled task acts as (its loads show "scheduled fetch" on the imports pages).
SCHEDULED = SystemActor("scheduled fetch")
LEFT_FOR_ADMIN = (
    "Left for a {force} force administrator: a scheduled fetch does not replace a month "
    "with a large change. Check police.uk's file and load it from the force imports page "
    "with a reason if it is right."
)

logger = logging.getLogger(__name__)


def fetch_forces() -> list[str]:
    """The police forces to fetch: those the partnerships are served by."""
    return sorted(
        set(Partnership.objects.exclude(force_slug="").values_list("force_slug", flat=True))
    )


def fetch_policy() -> FetchPolicy:
    return FetchPolicy(
        attempts=settings.SAFERSTAT_FETCH_ATTEMPTS,
        backoff=settings.SAFERSTAT_FETCH_BACKOFF,
        timeout=settings.SAFERSTAT_FETCH_TIMEOUT,
        max_bytes=settings.SAFERSTAT_FETCH_MAX_BYTES,
    )


def _fetched_before(force: str, month: str) -> set[str]:
    """SHA-256 of every file of this force-month a fetch loaded."""
    shas: set[str] = set()
    for loaded in FetchRun.objects.exclude(loaded=[]).values_list("loaded", flat=True):
        shas.update(
            item.get("sha256", "")
            for item in loaded
            if item.get("force") == force and item.get("month") == month
        )
    return shas


def plan(members: list[ArchiveMember], wh: Warehouse) -> tuple[list[ArchiveMember], int]:
    """The members to load: months not loaded yet, and months a fetch loaded that police.uk
    has since reissued (another file). Returns them and how many are already loaded."""
    partitions = {
        (entry["force_slug"], entry["month"]): entry
        for entry in wh.manifest()["partitions"].values()
        if entry["dataset"] == STREET_DATASET
    }
    todo, same = [], 0
    for member in members:
        entry = partitions.get((member.force, member.month))
        if entry is None:
            todo.append(member)
        elif entry.get("source_sha256") == member.sha256:
            same += 1
        elif entry.get("source_sha256") in _fetched_before(member.force, member.month):
            todo.append(member)  # police.uk reissued a month a fetch loaded
        else:
            same += 1  # loaded by a person from another file: theirs stands
    return todo, same


def policeuk_fetch(
    *,
    actor: SystemActor = SCHEDULED,
    archive: str = "latest",
    forces: list[str] | None = None,
    base_url: str | None = None,
    wh: Warehouse | None = None,
    policy: FetchPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    on_note: Callable[[str], None] | None = None,
) -> FetchRun:
    """Download, check and load one police.uk archive; record the run.

    Never raises for a failed download or a refused archive: the run says why (status
    ``failed``), and nothing of the archive is loaded.
    """
    started = timezone.now()
    forces = sorted(set(forces if forces is not None else fetch_forces()))
    url = archive_url(base_url or settings.SAFERSTAT_POLICEUK_ARCHIVE_URL, archive)
    wh = wh or load_warehouse()
    run = FetchRun(started_at=started, actor_label=actor.label, url=url, forces=forces)
    notes: list[str] = []

    def note(text: str) -> None:
        notes.append(text)
        logger.info("police.uk fetch: %s", text)
        if on_note:
            on_note(text)

    folder = Path(settings.SAFERSTAT_FETCH_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fetch-", dir=folder))
    try:
        if not forces:
            raise FetchError("no partnership is served by a police force: nothing to fetch")
        got = download(url, work / "archive.zip", policy=policy or fetch_policy(), sleep=sleep,
                       on_note=note)  # fmt: skip
        run.archive_bytes, run.attempts = got.bytes, got.attempts
        members = check_archive(got.path, forces, limits=unpack_limits())
        for force in sorted(set(forces) - {m.force for m in members}):
            note(f"the archive holds no street files for {force}")
        todo, same = plan(members, wh)
        note(f"{len(members)} months in the archive, {same} already loaded, {len(todo)} to load")
        files = extract_members(got.path, todo, work)
        for member in sorted(todo, key=lambda m: (m.force, m.month)):
            path, sha = files[member]
            _load_one(run, member, path, sha, actor, wh)
    except (FetchError, ArchiveError, WarehouseError, OSError) as exc:
        run.status = FetchStatus.FAILED
        note(f"{exc}" if run.loaded else f"{exc}. Nothing was loaded.")
    finally:
        remove_tree(work)
    if run.status != FetchStatus.FAILED:
        run.status = (
            FetchStatus.NEEDS_REVIEW
            if run.left
            else FetchStatus.LOADED
            if run.loaded
            else FetchStatus.NOTHING_NEW
        )
    run.message = "\n".join(notes)
    return _record(run)


def _load_one(
    run: FetchRun, member: ArchiveMember, path: Path, sha: str, actor: SystemActor, wh: Warehouse
) -> None:
    where = {"force": member.force, "month": member.month}
    try:
        result = publish_force_month(path=path, actor=actor, wh=wh)
    except ConfirmationRequired as exc:
        run.left.append(where | {"reason": f"{exc} {LEFT_FOR_ADMIN.format(force=member.force)}"})
    except PoliceUkValidationError as exc:
        run.left.append(where | {"reason": f"police.uk's file was refused: {exc}"})
    else:
        run.loaded.append(
            where
            | {
                "rows": result.rows,
                "sha256": sha,
                "replaced": result.replaced,
                "rows_before": result.previous_rows,
            }  # fmt: skip
        )


def _record(run: FetchRun) -> FetchRun:
    """Save the run, and tell every partnership of the forces (audit log)."""
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save()
        after = audit.snapshot(
            run, ["status", "url", "forces", "archive_bytes", "attempts", "loaded", "left"]
        )
        partnerships = list(Partnership.objects.filter(force_slug__in=run.forces))
        for partnership in partnerships or [None]:
            audit.record(
                actor=None,
                actor_label=run.actor_label,
                verb="fetch.run",
                obj=run,
                partnership=partnership,
                after=after,
            )
    return run


def fetch_runs_for(force: str, limit: int = 5) -> list[FetchRun]:
    """Selector: the latest fetches that covered ``force``, newest first (imports pages)."""
    runs = [run for run in FetchRun.objects.all()[: limit * 20] if force in (run.forces or [])]
    return runs[:limit]


def fetch_context(force: str) -> dict:
    """What the imports pages need for their "Scheduled fetches" section."""
    return {
        "fetch_runs": fetch_runs_for(force),
        "fetch_force": force,
        "fetch_share": settings.SAFERSTAT_REPLACE_CONFIRM_SHARE * 100,
    }
