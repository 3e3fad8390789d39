"""The demo contacts and support services directory for Rotherham (docs/reports.md).

Every service here is INVENTED for the demonstration and says so in its name ("(demo)");
the phone numbers are from Ofcom's range for drama (0114 496 0000 to 0999), which no real
line uses, and the web addresses are under example.org. Written through the services, so
each entry is audited as the demo analyst's."""

from __future__ import annotations

from saferstat.core.models import Partnership, User

from . import selectors, services

#: name, purpose, phone, web address, hours.
SERVICES = [
    (
        "Victim support line (demo)",
        "Free, confidential support for anyone affected by crime, reported or not.",
        "0114 496 0101",
        "https://victim-support.example.org/",
        "Monday to Friday 8am to 8pm; Saturday 9am to 5pm",
    ),
    (
        "Domestic abuse helpline (demo)",
        "Advice, safety planning and refuge referrals for anyone experiencing domestic abuse.",
        "0114 496 0202",
        "https://domestic-abuse-help.example.org/",
        "24 hours, every day",
    ),
    (
        "Anti-social behaviour reporting line (demo)",
        "Report noise, nuisance and anti-social behaviour to the council's community safety team.",
        "0114 496 0303",
        "https://asb-report.example.org/",
        "Monday to Friday 9am to 5pm",
    ),
    (
        "Young people's drug and alcohol service (demo)",
        "Confidential advice and support for people under 25 and their families.",
        "0114 496 0404",
        "https://young-people-support.example.org/",
        "Monday to Friday 9am to 7pm",
    ),
]


def demo_reports_install(slug: str = "rotherham") -> list[str]:
    """Add the demo services that are not in the directory yet (running again changes
    nothing)."""
    partnership = Partnership.objects.get(slug=slug)
    analyst = User.objects.get(username=f"{slug}-analyst")
    present = {s.name for s in selectors.support_service_list(partnership)}
    added = []
    for order, (name, purpose, phone, web, hours) in enumerate(SERVICES, start=1):
        if name in present:
            continue
        services.support_service_save(
            partnership=partnership,
            by=analyst,
            name=name,
            purpose=purpose,
            phone=phone,
            web_address=web,
            hours=hours,
            order=order * 10,
        )
        added.append(name)
    lines = (
        [f"{len(added)} demo support service(s) added to the contacts directory."]
        if added
        else ["The demo support services are already there; nothing changed."]
    )
    return lines + [_annual_report(partnership, analyst)]


#: The year whose annual report the demo starts (the latest whole year of the demo data).
DEMO_YEAR = "2024/25"


def _annual_report(partnership: Partnership, analyst: User) -> str:
    """Start the demo year's annual report and queue its first build for the task worker
    (which `make demo` starts next), once: a report already there is left as it is."""
    from .models import Report

    if Report.objects.filter(partnership=partnership, kind="annual", period=DEMO_YEAR).exists():
        return f"The {DEMO_YEAR} annual report is already there; nothing changed."
    report = services.report_create(
        partnership=partnership, by=analyst, kind="annual", period=DEMO_YEAR
    )
    services.report_build(report=report, by=analyst)
    return f"The {DEMO_YEAR} annual report was started; its first build is queued."
