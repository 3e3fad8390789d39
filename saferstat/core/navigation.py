"""The service navigation and breadcrumbs: one registry every app appends to.

Each `NavItem` is a link in the partnership's service navigation (the bar under the header).
A link is shown only when `can(user, action, partnership)` allows it, so the navigation
never offers a page that would answer 403. `sections` lists the URL names that belong to
the item: on those pages the item is marked current and appears in the breadcrumbs.

Later apps (Plan, Performance, Assessment, Meetings, Delivery, Reports) add one line to
`NAVIGATION` (or call `register` from their `AppConfig.ready`); see docs/frontend.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from .permissions import can


@dataclass(frozen=True)
class NavItem:
    """A service navigation link: its label, the URL name it opens and the action it needs."""

    label: str
    url_name: str  # the view name (with its namespace); takes the partnership slug only
    action: str  # a key of permissions.RULES
    sections: frozenset[str] = field(default_factory=frozenset)


NAVIGATION: list[NavItem] = [
    NavItem(
        "Overview",
        "overview:latest",
        "overview.view",
        frozenset({"overview:latest", "overview:year"}),
    ),
    NavItem(
        "Explorer", "explorer:page", "explorer.view", frozenset({"explorer:page", "explorer:save"})
    ),
    NavItem(
        "Data",
        "datasets:list",
        "datasets.view",
        frozenset(
            {
                "datasets:list",
                "datasets:declare",
                "datasets:detail",
                "datasets:edit",
                "datasets:upload",
                "datasets:upload_detail",
                "imports:list",
                "imports:upload",
                "imports:detail",
            }
        ),
    ),
    NavItem(
        "Requests",
        "requests:list",
        "requests.view",
        frozenset({"requests:list", "requests:new", "requests:detail"}),
    ),
    NavItem(
        "Assessment",
        "assessment:index",
        "assessment.view",
        frozenset(
            "assessment:" + name
            for name in (
                "index",
                "detail",
                "issue",
                "refresh",
                "consultation",
                "tension",
                "tension_detail",
            )
        ),
    ),
    NavItem(
        "Plan", "plan:detail", "plan.view", frozenset({"plan:detail", "plan:edit", "plan:version"})
    ),
    NavItem(
        "Performance",
        "performance:dashboard",
        "performance.view",
        frozenset(
            {
                "performance:dashboard",
                "performance:summary",
                "performance:mine",
                "performance:late",
                "performance:highlights",
                "performance:return",
                "performance:indicator",
                "performance:indicator_list",
                "performance:indicator_new",
                "performance:indicator_edit",
                "performance:calendar",
                "performance:values_upload",
                "performance:public",
            }
        ),
    ),
    NavItem(
        "Delivery",
        "delivery:index",
        "delivery.view",
        frozenset(
            {
                "delivery:" + name
                for name in (
                    "index",
                    "stream_detail",
                    "stream_achieved",
                    "project_list",
                    "project_detail",
                    "return_detail",
                    "late",
                    "communications",
                    "engagement",
                )
            }
        ),
    ),
    NavItem(
        "Meetings",
        "governance:index",
        "governance.view",
        frozenset(
            {
                "governance:" + name
                for name in (
                    "index",
                    "body_detail",
                    "attendance",
                    "meeting_detail",
                    "action_log",
                    "action_detail",
                    "recommendation_list",
                    "recommendation_detail",
                    "calendar",
                    "duty_edit",
                    "settings",
                    "jobs",
                )
            }
        ),
    ),
    NavItem(
        "Case reviews",
        "casereviews:figures",
        "casereviews.figures",
        frozenset(
            [
                *(
                    "casereviews:" + name
                    for name in (
                        "cases",
                        "case_detail",
                        "settings",
                        "figures",
                        "calls",
                        "call_detail",
                        "import",
                        "map",
                    )
                ),
                # Personal data is handled by the casework roles (docs/data-protection.md).
                "dataprotection:index",
                "dataprotection:requests",
            ]
        ),
    ),
    NavItem(
        "Reports",
        "reports:index",
        "reports.view",
        frozenset(
            {
                "reports:" + name
                for name in (
                    "index",
                    "archive",
                    "detail",
                    "edit",
                    "publish",
                    "versions",
                    "version",
                    "disclosure",
                )
            }
        ),
    ),
    NavItem("Audit log", "audit_log", "audit.view", frozenset({"audit_log"})),
]


def register(item: NavItem) -> None:
    """Add a link to the service navigation (once; later apps call this)."""
    if all(existing.url_name != item.url_name for existing in NAVIGATION):
        NAVIGATION.append(item)


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool = False


def service_navigation(user, partnership, url_name: str | None) -> list[Link]:
    """The navigation links this user may follow in this partnership, the current one marked."""
    links = []
    for item in NAVIGATION:
        if not can(user, item.action, partnership):
            continue
        try:
            url = reverse(item.url_name, kwargs={"slug": partnership.slug})
        except NoReverseMatch:
            continue
        links.append(Link(item.label, url, url_name in item.sections))
    return links


def section_for(url_name: str | None) -> NavItem | None:
    """The navigation item a page belongs to, if any."""
    return next((item for item in NAVIGATION if url_name in item.sections), None)


def breadcrumbs(user, partnership, url_name: str | None) -> list[Link]:
    """The trail to the current page (not including it): home, partnership, section."""
    trail = [Link("Home", reverse("home"))]
    if partnership is None:
        return trail
    if url_name != "partnership_home" and can(user, "partnership.view", partnership):
        trail.append(Link(partnership.name, reverse("partnership_home", args=[partnership.slug])))
    item = section_for(url_name)
    if item is not None and url_name != item.url_name and can(user, item.action, partnership):
        trail.append(Link(item.label, reverse(item.url_name, args=[partnership.slug])))
    return trail
