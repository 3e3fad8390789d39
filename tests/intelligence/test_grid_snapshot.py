"""Before and after: a grid of queries through the explorer, the JSON API and the CLI gives
the figures it gave before the analysis query and runner were shared (issue 11).

The four South Yorkshire partnerships x several periods x counts, compare, hotspots, harm,
SPC and periods, on the demo warehouse (``demo_warehouse``: every demo month, with the 2019-07
and 2021-10 to 2023-12 gaps). The expected answers are in ``fixtures/grid_snapshot.json``,
made from main before the change by ``scripts/grid_snapshot.py`` (which runs this test with
``SAFERSTAT_WRITE_GRID_SNAPSHOT=1``). A figure that changes fails the test with its query.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from saferstat.cli import main
from saferstat.core.tokens import api_token_create

SNAPSHOT = Path(__file__).resolve().parent / "fixtures" / "grid_snapshot.json"
WRITE = os.environ.get("SAFERSTAT_WRITE_GRID_SNAPSHOT") == "1"

PARTNERSHIPS = {
    "rotherham": ("E08000018", "Rotherham"),
    "barnsley": ("E08000038", "Barnsley"),
    "doncaster": ("E08000017", "Doncaster"),
    "sheffield": ("E08000039", "Sheffield"),
}
#: A full year, a year with a missing month (2019-07), a rolling year.
PERIODS = ("2024/25", "2019/20", "R12-2025-09")
#: Month ranges for SPC and the periods view: full, and across the 2019-07 gap.
RANGES = (("2024-04", "2025-09"), ("2019-01", "2020-06"))


def _round(value):
    """Floats to 10 significant digits (the same figures on every platform), recursively."""
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return value


def _csv(text: str) -> list[dict]:
    return [dict(r) for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))]


def _grid(client, key: str, warehouse: Path) -> dict[str, object]:
    """Every query of the grid -> its answer (status and body), in a stable order."""
    out: dict[str, object] = {}
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    runner = CliRunner()

    def api(slug: str, path: str) -> None:
        response = client.get(f"/api/partnerships/{slug}/{path}", **auth)
        out[f"api {slug} {path}"] = [response.status_code, _round(response.json())]

    def explorer(slug: str, params: dict[str, str]) -> None:
        response = client.get(f"/p/{slug}/explore/", {**params, "format": "csv"})
        body = response.content.decode("utf-8")
        name = "&".join(f"{k}={v}" for k, v in params.items())
        out[f"explorer {slug} {name}"] = [
            response.status_code,
            _csv(body) if response.status_code == 200 else body,
        ]

    def cli(*args: str) -> None:
        done = runner.invoke(main, [*args, "--format", "json", "--warehouse", str(warehouse)])
        body = _round(json.loads(done.stdout)) if done.exit_code == 0 else done.stderr
        out["cli " + " ".join(args)] = [done.exit_code, body]

    for slug, (code, _) in PARTNERSHIPS.items():
        for period in PERIODS:
            api(slug, f"counts?period={period}&by=crime_type")
            api(slug, f"compare?period={period}")
            api(slug, f"hotspots?period={period}")
            cli("counts", "--area", code, "--period", period, "--by", "ward")
            cli("compare", "--area", code, "--period", period)
            cli("hotspots", "--area", code, "--period", period, "--rank", "count")
            for view in ("compare", "harm"):
                explorer(slug, {"view": view, "period": period})
        period = PERIODS[0]
        types = "crime_type=Violence+and+sexual+offences&crime_type=Robbery"
        api(slug, f"counts?period={PERIODS[1]}&by=month")
        api(slug, f"compare?period={period}&{types}")
        explorer(slug, {"view": "wards", "period": period})
        explorer(slug, {"view": "compare", "period": period, "compare": "E08000017,E08000016"})
        for start, end in RANGES:
            api(slug, f"spc?start={start}&end={end}")
            cli("spc", "--area", code, "--from", start, "--to", end)
            explorer(slug, {"view": "trend", "from": start, "to": end})
            explorer(slug, {"view": "periods", "from": start, "to": end, "kind": "quarter"})
    # One partnership for the rest: LSOAs, harm ranking, crime types, other period kinds.
    slug, (code, _) = "rotherham", PARTNERSHIPS["rotherham"]
    api(slug, f"hotspots?period={PERIODS[1]}&level=lsoa&rank=harm&{types}")
    cli("hotspots", "--area", code, "--period", PERIODS[0], "--level", "lsoa", "--rank", "harm")
    cli("spc", "--area", code, "--from", "2024-01", "--to", "2025-09", "--crime-type", "Robbery")
    api(slug, "spc?start=2019-01&end=2020-06&crime_type=Burglary&polarity=neutral")
    explorer(slug, {"view": "wards", "period": PERIODS[1]})
    for kind in ("financial_year", "rolling12", "month"):
        explorer(slug, {"view": "periods", "from": "2019-01", "to": "2021-09", "kind": kind})
    return out


@pytest.mark.slow  # ~15 s of queries: `make test` runs it, `make check` does not
@pytest.mark.django_db
def test_the_grid_of_queries_gives_the_figures_it_gave_before(
    client, settings, tmp_path, demo_warehouse, make_partnership, make_member
):
    settings.SAFERSTAT_WAREHOUSE = demo_warehouse
    settings.MEDIA_ROOT = tmp_path / "media"
    from saferstat.core.services import default_neighbour_codes, neighbour_group_set

    made = [make_partnership(slug=s, code=c, area=a) for s, (c, a) in PARTNERSHIPS.items()]
    for partnership in made:  # as the demo seeds them: comparisons use the partnership's group
        codes = list(default_neighbour_codes(partnership))
        neighbour_group_set(partnership=partnership, by=None, codes=codes)
    analyst = make_member(made[0], "analyst")
    for partnership in made[1:]:
        from saferstat.core.services import membership_set

        membership_set(user=analyst, partnership=partnership, role="analyst")
    _, key = api_token_create(user=analyst, name="grid")
    client.force_login(analyst)
    got = _grid(client, key, demo_warehouse)
    if WRITE:
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert list(got) == sorted(got, key=list(got).index)  # (the grid is made in one order)
    assert sorted(got) == sorted(expected), "the grid's queries changed"
    changed = [name for name in expected if got[name] != expected[name]]
    assert not changed, f"{len(changed)} answers changed, first: {changed[:5]}"
    # The grid holds answers, not only refusals: most are figures.
    assert sum(1 for status, _ in expected.values() if status in (0, 200)) > 0.8 * len(expected)
