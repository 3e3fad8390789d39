"""Plain English on the pages: no machine names or unexplained abbreviations in table
headers, coded values in words, the SPC verdict explained (docs/frontend.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from saferstat.analytics import labels
from saferstat.core.templatetags.saferstat import cell, column_label, force_name, number

TEMPLATES = Path(__file__).resolve().parents[2] / "saferstat" / "templates"
BANNED = re.compile(r"\b[a-z]+_[a-z0-9_]+\b|\b(Lpl|Upl|LPL|UPL|ASB|pct|Pct|Is focus|P value)\b")
#: Every column the analytics tables shown in the explorer produce.
ANALYTICS_COLUMNS = (
    "change_vs_last_year_pct change_vs_previous_pct code count crime_type end funnel harm_days "
    "harm_high_days harm_low_days harm_per_1000 is_approximate is_complete is_focus "
    "last_year_count last_year_period lower mean missing_months name near_lpl near_upl "
    "p_value_vs_last_year p_value_vs_previous period point_type population previous_count "
    "previous_period rank rate_lower rate_per_1000 rate_upper segment share_pct significance "
    "special_cause start upper ward weight_days weight_high_days weight_low_days month "
    "previous_months_compared last_year_months_compared"
).split()


def _header_texts():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<th\b[^>]*>(.*?)</th>", text, re.S):
            inner = re.sub(r"\{%.*?%\}|\{\{.*?\}\}|<[^>]+>", " ", match.group(1))
            yield path.relative_to(TEMPLATES), inner.strip()


def test_no_template_table_header_has_machine_names_or_abbreviations():
    bad = [(str(p), h) for p, h in _header_texts() if BANNED.search(h)]
    assert not bad, bad


@pytest.mark.parametrize("column", ANALYTICS_COLUMNS)
def test_every_analytics_column_has_a_plain_header(column):
    header = column_label(column)
    assert column in labels.COLUMNS, f"add {column!r} to saferstat/analytics/labels.py"
    assert not BANNED.search(header), header


def test_coded_values_are_in_words():
    assert cell({"point_type": "common_cause"}, "point_type") == "Common cause variation"
    assert cell({"significance": "similar"}, "significance") == "Not significantly different"
    assert column_label("lpl") == "Lower process limit"
    assert "by chance" in labels.MEANINGS["common_cause"]


def test_numbers_have_thousands_separators():
    assert number(1234567) == "1,234,567"
    assert number(1234.567, 1) == "1,234.6"
    assert number(None) == "–"


def test_force_slugs_read_as_names():
    assert force_name("south-yorkshire") == "South Yorkshire Police"
    assert force_name("city-of-london") == "City of London Police"


@pytest.mark.django_db
def test_explorer_explains_the_spc_verdict_and_spells_out_asb(
    client, overview_warehouse, rotherham, members
):
    client.force_login(members["board"])
    html = client.get(
        "/p/rotherham/explore/", {"view": "trend", "from": "2024-04", "to": "2025-03"}
    ).content.decode()
    verdict = re.search(r'<p class="govuk-body-l saferstat-verdict">(.*?)</p>', html).group(1)
    assert "_" not in verdict
    assert any(meaning in verdict for meaning in labels.MEANINGS.values()), verdict
    assert "anti-social behaviour (ASB)" in html
    assert 'href="/glossary/#spc"' in html
    headers = re.findall(r'<th scope="col" class="govuk-table__header">([^<]*)</th>', html)
    assert "Lower process limit" in headers and not any(BANNED.search(h) for h in headers)


@pytest.mark.django_db
def test_comparison_verdict_reads_as_a_sentence_and_notes_appear_once(
    client, overview_warehouse, rotherham, members
):
    client.force_login(members["board"])
    html = client.get("/p/rotherham/explore/", {"view": "compare"}).content.decode()
    verdict = re.search(r'<p class="govuk-body-l saferstat-verdict">(.*?)</p>', html).group(1)
    assert re.search(
        r"(significantly above|significantly below|not significantly different from) the group rate",
        verdict,
    ), verdict
    notes = re.findall(
        r"<li>(.*?)</li>", re.search(r'<ul[^>]*id="notes">(.*?)</ul>', html, re.S).group(1)
    )
    assert notes and len(notes) == len(set(notes))


def test_cli_tables_fold_long_values_instead_of_cutting_them():
    from rich.console import Console

    from saferstat.cli import _table

    table = _table("Area", "Records", "Residents", "Rate per 1,000")
    table.add_row("Doncaster Metropolitan Borough", "12,345", "308,100", "40.07")
    console = Console(width=50, record=True)
    console.print(table)
    text = console.export_text()
    assert "…" not in text and "..." not in text
    first_column = "".join(
        line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")
    )
    assert first_column.replace(" ", "") == "DoncasterMetropolitanBorough", text
    for figure in ("12,345", "308,100", "40.07"):
        assert figure in text, text
