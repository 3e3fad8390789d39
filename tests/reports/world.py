"""A draft report of a partnership with version 1 queued and an entry of its contacts
directory, through the services (for the
access matrix, the isolation test and the two-factor test). `mark` is put in its title."""

from __future__ import annotations

from saferstat.reports.services import report_build, report_create, support_service_save


def build(partnership, analyst, *, mark: str = "") -> dict:
    report = report_create(
        partnership=partnership,
        by=analyst,
        kind="annual",
        period="2024/25",
        title=f"{mark}Annual report 2024/25",
    )
    # Version 1, queued (not built: cheap); its page shows its progress.
    report_build(report=report, by=analyst, queue=False)
    service = support_service_save(
        partnership=partnership,
        by=analyst,
        name=f"{mark}Victim support line (demo)",
        purpose=f"{mark}Support for anyone affected by crime",
        phone="0114 496 0555",
        web_address="https://victim-support.example.org/",
        hours="24 hours",
    )
    return {"report": report.pk, "service": service.pk}


def build_version(report, by):
    """Build a new version of the report now, in this process (as the task worker would)."""
    from saferstat.reports.services import report_build, version_execute

    version = report_build(report=report, by=by, queue=False)
    return version_execute(version_id=version.pk)
