"""No data is never zero, through every front end (CLI, JSON API, explorer, overview page).

Three situations, each run through every analysis a front end offers:

(a) a fully missing period: 2022/23 (the demo data has no month from 2021-10 to 2023-12);
(b) a partly missing period: 2019/20 (no 2019-07): answered, with the gap named, never 0;
(c) a warehouse with a second force that has 2019-07 while South Yorkshire has not: 2019-07
    is still missing for Rotherham (the CLI scopes to the area's force, as the web does).

The CLI has counts, spc, compare and hotspots; the API counts, overview, spc, compare and
hotspots; the explorer trend (SPC), wards (hotspots), compare, harm and periods; the overview
page the overview.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from saferstat.cli import EXIT_BAD_QUERY, EXIT_NO_DATA, main
from saferstat.core.tokens import api_token_create

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo_data"
ROTHERHAM = "E08000018"
WAKEFIELD = "E08000036"
URL = "/p/rotherham/explore/"
FY_2223 = [f"2022-{m:02d}" for m in range(4, 13)] + ["2023-01", "2023-02", "2023-03"]
FY_1920 = [f"2019-{m:02d}" for m in range(4, 13)] + ["2020-01", "2020-02", "2020-03"]
NO_DATA_2223 = (
    "No police.uk data is loaded for Rotherham in 2022/23 (South Yorkshire Police has no month "
    "from April 2022 to March 2023)."
)


# --- warehouses --------------------------------------------------------------------------


def _second_force_file(folder: Path) -> Path:
    """A tiny West Yorkshire file for 2019-07: three records in Wakefield LSOAs."""
    path = folder / "2019-07-west-yorkshire-street.csv"
    header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        "LSOA name,Crime type,Last outcome category,Context"
    )
    rows = [
        f"wy{i},2019-07,West Yorkshire Police,West Yorkshire Police,-1.5,53.68,On or near Test "
        f"Street,{lsoa},{name},Burglary,Under investigation,"
        for i, (lsoa, name) in enumerate(
            [("E01011743", "Wakefield 003A"), ("E01011744", "Wakefield 003B")] * 2
        )
    ]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def multi_force(tmp_path_factory) -> Path:
    """Reference data, South Yorkshire 2019-06 and 2019-08, West Yorkshire 2019-07."""
    from saferstat.analytics.warehouse import LoadRefusal, Warehouse

    folder = tmp_path_factory.mktemp("multi")
    wh = Warehouse(folder / "warehouse")
    wh.load_reference(DEMO / "ons")
    files = [
        DEMO / "police-uk" / f"{m}-south-yorkshire-street.csv.gz" for m in ("2019-06", "2019-08")
    ]
    outcomes = wh.load_policeuk_files([*files, _second_force_file(folder)])
    assert not [o for o in outcomes if isinstance(o, LoadRefusal)]
    assert sorted(wh.months()) == ["south-yorkshire", "west-yorkshire"]
    return folder / "warehouse"


def cli(warehouse: Path, *args: str):
    return CliRunner().invoke(main, [*args, "--warehouse", str(warehouse)])


def no_zero_for(month: str, text: str) -> bool:
    """True when no line of the CSV or JSON output gives ``month`` a count of 0."""
    return not re.search(rf"{month}\D{{0,40}}\b0\b", text.replace('"count": null', ""))


# --- (a) a fully missing period ----------------------------------------------------------

CLI_ANALYSES = {
    "counts": ["counts", "--area", ROTHERHAM, "--period", "2022/23"],
    "counts by month": ["counts", "--area", ROTHERHAM, "--period", "2022/23", "--by", "month"],
    "spc": ["spc", "--area", ROTHERHAM, "--from", "2022-04", "--to", "2023-03"],
    "compare": ["compare", "--area", ROTHERHAM, "--period", "2022/23"],
    "hotspots": ["hotspots", "--area", ROTHERHAM, "--period", "2022/23"],
    "far future": ["counts", "--area", ROTHERHAM, "--period", "2030/31"],
}


@pytest.mark.parametrize("name", list(CLI_ANALYSES))
@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_cli_refuses_a_fully_missing_period_with_exit_status_3(demo_warehouse, name, fmt):
    done = cli(demo_warehouse, *CLI_ANALYSES[name], "--format", fmt)
    assert done.exit_code == EXIT_NO_DATA == 3, done.output
    assert done.stdout == ""
    assert "No police.uk data is loaded for Rotherham in" in done.stderr
    assert "Total" not in done.output and "similar" not in done.output


def test_cli_message_names_what_is_missing(demo_warehouse):
    done = cli(demo_warehouse, *CLI_ANALYSES["counts"])
    assert NO_DATA_2223 in " ".join(done.stderr.split())


def test_cli_bad_question_is_exit_status_2(demo_warehouse):
    done = cli(demo_warehouse, "compare", "--area", ROTHERHAM, "--period", "2024/25",
               "--with", WAKEFIELD)  # fmt: skip
    assert done.exit_code == EXIT_BAD_QUERY == 2
    assert "Wakefield (E08000036) is outside the loaded data" in " ".join(done.stderr.split())
    done = cli(demo_warehouse, "counts", "--area", WAKEFIELD, "--period", "2024/25")
    assert done.exit_code == 3 and "No police.uk data is loaded for Wakefield" in done.stderr


# --- (b) a partly missing period -------------------------------------------------------


def test_cli_partly_missing_period_is_answered_with_the_gap_named(demo_warehouse):
    counts = cli(demo_warehouse, "counts", "--area", ROTHERHAM, "--period", "2019/20",
                 "--by", "month", "--format", "csv")  # fmt: skip
    assert counts.exit_code == 0 and "2019-07" in counts.stderr
    months = [row["month"] for row in csv.DictReader(io.StringIO(counts.stdout))]
    assert months == [m for m in FY_1920 if m != "2019-07"]
    assert all(int(r["count"]) > 0 for r in csv.DictReader(io.StringIO(counts.stdout)))
    spc = cli(demo_warehouse, "spc", "--area", ROTHERHAM, "--from", "2019-04", "--to",
              "2020-03", "--format", "json")  # fmt: skip
    assert spc.exit_code == 0
    rows = {r["month"]: r for r in json.loads(spc.stdout)["rows"]}
    assert rows["2019-07"]["count"] is None and rows["2019-07"]["point_type"] == "no data"
    for command in ("compare", "hotspots"):
        done = cli(demo_warehouse, command, "--area", ROTHERHAM, "--period", "2019/20",
                   "--format", "json")  # fmt: skip
        assert done.exit_code == 0, done.output
        assert json.loads(done.stdout)["missing_months"] == ["2019-07"]
        assert "2019-07" in done.stderr


# --- (c) another force has the month ---------------------------------------------------


def test_cli_scopes_to_the_areas_force(multi_force):
    counts = cli(multi_force, "counts", "--area", ROTHERHAM, "--period", "2019/20",
                 "--by", "month", "--format", "csv")  # fmt: skip
    assert counts.exit_code == 0
    assert "2019-07" not in counts.stdout and no_zero_for("2019-07", counts.stdout)
    assert "2019-07" in counts.stderr  # the warning names the gap
    spc = cli(multi_force, "spc", "--area", ROTHERHAM, "--from", "2019-06", "--to", "2019-08",
              "--format", "json")  # fmt: skip
    rows = {r["month"]: r["count"] for r in json.loads(spc.stdout)["rows"]}
    assert rows["2019-07"] is None and rows["2019-06"] > 0 and rows["2019-08"] > 0
    assert json.loads(spc.stdout)["missing_months"] == ["2019-07"]
    for args in (
        ["counts", "--period", "2019-07"],
        ["compare", "--period", "2019-07"],
        ["hotspots", "--period", "2019-07"],
    ):
        done = cli(multi_force, args[0], "--area", ROTHERHAM, *args[1:])
        assert done.exit_code == 3, done.output
        assert "South Yorkshire Police has no data for July 2019" in " ".join(done.stderr.split())


# --- the web: API, explorer, overview ----------------------------------------------------


@pytest.fixture
def app_warehouse(settings, tmp_path):
    """Point the app at a warehouse (read only here): ``app_warehouse(root)``."""

    def use(root: Path) -> Path:
        settings.SAFERSTAT_WAREHOUSE = root
        settings.MEDIA_ROOT = tmp_path / "media"
        return root

    return use


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


API_2223 = [
    "counts?period=2022/23",
    "counts?period=2022/23&by=month",
    "overview?period=2022/23",
    "spc?start=2022-04&end=2023-03",
    "compare?period=2022/23",
    "hotspots?period=2022/23",
    "counts?period=2030/31",
]
EXPLORER_2223 = [
    {"view": "trend", "from": "2022-04", "to": "2023-03"},
    {"view": "periods", "from": "2022-04", "to": "2023-03", "kind": "quarter"},
    {"view": "wards", "period": "2022/23"},
    {"view": "compare", "period": "2022/23"},
    {"view": "harm", "period": "2022/23"},
]


@pytest.mark.django_db
def test_web_answers_a_fully_missing_period_with_no_data_never_zeros(
    client, demo_warehouse, app_warehouse, rotherham, members
):
    app_warehouse(demo_warehouse)
    _, key = api_token_create(user=members["analyst"], name="t")
    for path in API_2223:
        response = client.get(f"/api/partnerships/rotherham/{path}", **bearer(key))
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["title"] == "No data loaded" and body["status"] == 404
        assert body["detail"].startswith("No police.uk data is loaded for Rotherham in"), body
        assert "rows" not in body and "areas" not in body
    assert (
        client.get("/api/partnerships/rotherham/counts?period=2022/23", **bearer(key)).json()[
            "detail"
        ]
        == NO_DATA_2223
    )
    client.force_login(members["analyst"])
    for params in EXPLORER_2223:
        response = client.get(URL, params)
        html = response.content.decode()
        assert response.status_code == 404, params
        assert 'id="no-data"' in html and "No police.uk data is loaded for Rotherham" in html
        assert 'id="result-table"' not in html
        for fmt in ("csv", "svg"):
            assert client.get(URL, {**params, "format": fmt}).status_code == 404
    page = client.get("/p/rotherham/overview/2022-23/")
    assert page.status_code == 404
    assert NO_DATA_2223 in page.content.decode()
    assert client.get("/p/rotherham/overview/2022-23/trend.svg").status_code == 404


@pytest.mark.django_db
def test_web_answers_a_partly_missing_period_with_the_gap(
    client, demo_warehouse, app_warehouse, rotherham, members
):
    app_warehouse(demo_warehouse)
    _, key = api_token_create(user=members["analyst"], name="t")
    api = "/api/partnerships/rotherham/"
    counts = client.get(f"{api}counts?period=2019/20&by=month", **bearer(key)).json()
    assert counts["missing_months"] == ["2019-07"] and not counts["is_complete"]
    assert "2019-07" not in [r["key"] for r in counts["rows"]]
    overview = client.get(f"{api}overview?period=2019/20", **bearer(key)).json()
    monthly = {m["month"]: m["count"] for m in overview["monthly"]}
    assert monthly["2019-07"] is None and all(monthly[m] for m in FY_1920 if m != "2019-07")
    spc = client.get(f"{api}spc?start=2019-04&end=2020-03", **bearer(key)).json()
    assert {p["month"]: p["count"] for p in spc["points"]}["2019-07"] is None
    for path in ("compare?period=2019/20", "hotspots?period=2019/20"):
        assert client.get(api + path, **bearer(key)).json()["missing_months"] == ["2019-07"]
    client.force_login(members["analyst"])
    for params in [
        {"view": "trend", "from": "2019-04", "to": "2020-03"},
        {"view": "wards", "period": "2019/20"},
        {"view": "compare", "period": "2019/20"},
        {"view": "harm", "period": "2019/20"},
    ]:
        response = client.get(URL, params)
        assert response.status_code == 200, params
        assert "2019-07" in response.content.decode()
    periods = client.get(
        URL,
        {"view": "periods", "from": "2019-04", "to": "2020-03", "kind": "month", "format": "csv"},
    )
    rows = {
        r["period"]: r for r in csv.DictReader(io.StringIO(periods.content.decode("utf-8-sig")))
    }
    assert rows["2019-07"]["count"] == ""
    assert rows["2019-07"]["is_complete"].lower() in ("false", "no")
    page = client.get("/p/rotherham/overview/2019-20/").content.decode()
    assert "2019-07" in page


@pytest.mark.django_db
def test_web_with_a_second_force_keeps_the_gap(
    client, multi_force, app_warehouse, rotherham, members
):
    app_warehouse(multi_force)
    _, key = api_token_create(user=members["analyst"], name="t")
    api = "/api/partnerships/rotherham/"
    response = client.get(f"{api}counts?period=2019-07", **bearer(key))
    assert response.status_code == 404
    assert "South Yorkshire Police has no data for July 2019" in response.json()["detail"]
    spc = client.get(f"{api}spc?start=2019-06&end=2019-08", **bearer(key)).json()
    assert {p["month"]: p["count"] for p in spc["points"]}["2019-07"] is None
    client.force_login(members["analyst"])
    trend = client.get(URL, {"view": "trend", "from": "2019-06", "to": "2019-08", "format": "csv"})
    rows = {r["month"]: r for r in csv.DictReader(io.StringIO(trend.content.decode("utf-8-sig")))}
    assert rows["2019-07"]["count"] == ""
    assert client.get(URL, {"view": "wards", "period": "2019-07"}).status_code == 404


@pytest.mark.django_db
def test_explorer_comparison_outside_the_data_is_an_error_summary(
    client, overview_warehouse, rotherham, members
):
    """Wakefield (West Yorkshire Police, not loaded) was a 500 in the explorer."""
    client.force_login(members["analyst"])
    response = client.get(URL, {"view": "compare", "period": "2024/25", "compare": WAKEFIELD})
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "govuk-error-summary" in html and "Wakefield (E08000036) is outside the loaded data" in html
    )
    assert 'id="result-table"' not in html
    _, key = api_token_create(user=members["analyst"], name="t")
    api = client.get(
        f"/api/partnerships/rotherham/compare?period=2024/25&with_codes={WAKEFIELD}", **bearer(key)
    )
    assert api.status_code == 422 and "outside the loaded data" in api.json()["detail"]
