"""The Board dashboard's figures are computed once and kept (`selectors.indicator_rows`,
`figures.cached`) until anything they are computed from changes: an approved value or a
correction, a target, the RAG rule, the calendar or the warehouse."""

from __future__ import annotations

import pytest

from saferstat.analytics.performance import RagRule
from saferstat.performance import selectors
from saferstat.performance.services import (
    indicator_upsert,
    rag_rule_set,
    return_correct,
    return_save,
)

pytestmark = pytest.mark.django_db
DASHBOARD = "/p/rotherham/performance/?period=2024/25-Q1"
API = "/api/partnerships/rotherham/indicators?period=2024/25-Q1"


@pytest.fixture
def computed(monkeypatch):
    """How many indicator verdicts were computed (one per indicator and computation)."""
    calls = []
    original = selectors.verdicts.indicator_verdict

    def counting(*args, **kwargs):
        calls.append(kwargs.get("label"))
        return original(*args, **kwargs)

    monkeypatch.setattr(selectors.verdicts, "indicator_verdict", counting)
    return calls


def latest(client, url=DASHBOARD) -> str:
    page = client.get(url).content.decode()
    card = page.split('id="indicator-missing-repeat"', 1)[1]
    return card.split('class="saferstat-latest">', 1)[1].split("<", 1)[0]


def api_value(client) -> float:
    body = client.get(API).json()
    return next(i for i in body["indicators"] if i["code"] == "missing-repeat")["value"]


def test_an_approved_correction_changes_what_the_dashboard_shows(client, world, members, computed):
    client.force_login(members["board"])
    assert latest(client) == "40"
    assert len(computed) == 3  # the three indicators, once
    # Kept: the dashboard again, its filters, the API and the summary compute nothing.
    assert latest(client) == "40"
    assert latest(client, DASHBOARD + "&theme=children") == "40"
    assert api_value(client) == 40
    assert client.get("/p/rotherham/performance/summary/?period=2024/25-Q1").status_code == 200
    assert len(computed) == 3
    # A lead's draft of another quarter changes no figure on Q1's dashboard, but it is a
    # change to the returns: computed again (never stale), then kept.
    return_save(ret=world["owed"], by=members["lead"], values={"missing-repeat": 7})
    assert latest(client) == "40" and len(computed) == 6
    # The analyst corrects the approved value: the dashboard and the API show the new one.
    return_correct(
        ret=world["approved"],
        by=members["analyst"],
        values={"missing-repeat": 55},
        reason="The police figure was revised.",
    )
    assert latest(client) == "55"
    assert api_value(client) == 55
    assert len(computed) == 9
    page = client.get(DASHBOARD).content.decode()
    assert "Approved, then corrected" in page


def test_a_new_target_or_rule_is_shown_at_once(client, world, members, computed):
    client.force_login(members["board"])
    page = client.get(DASHBOARD).content.decode()
    assert "Red when assurance is consistently failing the target" in page
    missing = world["missing"]
    indicator_upsert(
        partnership=missing.partnership,
        by=members["analyst"],
        priority=missing.priority,
        code=missing.code,
        name=missing.name,
        definition=missing.definition,
        unit=missing.unit,
        polarity=missing.polarity,
        targets={"2024/25-Q1": 35},
        create=False,
    )
    card = client.get(DASHBOARD).content.decode().split('id="indicator-missing-repeat"', 1)[1]
    assert 'Target</dt><dd class="govuk-summary-list__value">35' in card
    rule = RagRule(red_when_failing=False, green_when_passing=False)
    rag_rule_set(partnership=missing.partnership, by=members["analyst"], rule=rule)
    rows = selectors.indicator_rows(
        partnership=missing.partnership, period=world["periods"]["2024/25-Q1"]
    )
    assert {r.verdict.rag_rule for r in rows} == {rule.describe()}


def test_a_warehouse_load_changes_the_computed_indicator(
    client, world, members, overview_warehouse, computed
):
    """The warehouse version (its manifest, replaced by every load) is part of the key: new
    police.uk data computes the figures again."""
    import os
    from pathlib import Path

    client.force_login(members["board"])
    client.get(DASHBOARD)
    client.get(DASHBOARD)
    assert len(computed) == 3
    manifest = Path(overview_warehouse) / "manifest.json"
    replacement = manifest.with_suffix(".new")
    replacement.write_bytes(manifest.read_bytes())
    os.replace(replacement, manifest)  # as a load does: a new file in its place
    client.get(DASHBOARD)
    assert len(computed) == 6


def test_the_kept_cards_say_you_only_to_the_lead_and_follow_a_renamed_lead_role(
    client, world, members
):
    """The rendered cards and the definitions are kept too (`views._cards_html`,
    `selectors.definitions`): the "(you)" beside a priority is the reader's own, and a lead's
    new role, changed through the plan's (audited) service, shows at once."""
    from saferstat.plan.services import priority_upsert

    client.force_login(members["lead"])
    assert "(you)" in client.get(DASHBOARD).content.decode()
    client.force_login(members["board"])
    page = client.get(DASHBOARD).content.decode()
    assert "(you)" not in page
    priority = members["lead"].led_priorities.first()
    priority_upsert(
        theme=priority.theme,
        by=members["admin"],
        key=priority.key,
        name=priority.name,
        order=priority.order,
        lead=priority.lead,
        lead_role="Renamed lead role",
        lead_organisation=priority.lead_organisation,
    )
    assert "Renamed lead role" in client.get(DASHBOARD).content.decode()
