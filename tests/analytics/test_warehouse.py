"""The warehouse: publishing, replacing, refusing, surviving a kill, and the DuckDB views."""

from __future__ import annotations

import csv
import gzip
import json
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from saferstat.analytics import warehouse as wh
from saferstat.analytics.policeuk import CRIME_TYPES, PoliceUkValidationError
from saferstat.analytics.warehouse import (
    LoadRefusal,
    LoadResult,
    Warehouse,
    WarehouseError,
    connect,
    missing_months,
    read_manifest,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SAMPLE = HERE.parent / "fixtures" / "policeuk" / "2024-12-south-yorkshire-street.csv"
DEMO = REPO / "demo_data" / "police-uk"
ONS = REPO / "demo_data" / "ons"
PART = re.compile(
    r"^dataset=policeuk_street/force=south-yorkshire/month=(\d{4}-\d{2})/part-[0-9TZ]+-[0-9a-f]{6}\.parquet$"
)


def demo(month: str) -> Path:
    return DEMO / f"{month}-south-yorkshire-street.csv.gz"


def csv_rows(path: Path) -> int:
    """Data rows of a police.uk file, counted with the csv module alone."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return sum(1 for row in csv.reader(handle) if row) - 1


def month_count(root: Path, month: str) -> int:
    with connect(root) as con:
        return con.execute(
            "SELECT count(*) FROM street_crimes WHERE month = ?", [month]
        ).fetchone()[0]


def parquet_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.glob("dataset=*/**/*.parquet")}


def assert_consistent(root: Path) -> dict:
    """Manifest readable; every file it names exists; views agree with it; no stray files
    that a reader could pick up."""
    manifest = read_manifest(root)
    for entry in [*manifest["partitions"].values(), *manifest["reference"].values()]:
        assert (root / entry["path"]).is_file(), entry["path"]
    with connect(root) as con:
        got = dict(
            con.execute("SELECT month, count(*) FROM street_crimes GROUP BY month").fetchall()
        )
    expected = {e["month"]: e["row_count"] for e in manifest["partitions"].values()}
    assert got == expected
    return manifest


@pytest.fixture
def root(tmp_path) -> Path:
    return tmp_path / "warehouse"


# --- publishing ------------------------------------------------------------------------


def test_first_load_writes_the_contract_layout(root):
    result = Warehouse(root).load_policeuk_file(SAMPLE)
    assert isinstance(result, LoadResult)
    assert (result.rows, result.force, result.month, result.replaced) == (
        20,
        "south-yorkshire",
        "2024-12",
        False,
    )
    assert result.seconds > 0 and result.source_name == SAMPLE.name
    manifest = read_manifest(root)
    (entry,) = manifest["partitions"].values()
    assert PART.match(entry["path"]) and result.path == root / entry["path"]
    assert entry["row_count"] == 20 and entry["source_name"] == SAMPLE.name
    assert len(entry["source_sha256"]) == 64 and entry["lsoa_vintage"] is None
    assert manifest["generation"] == 1 and manifest["retired"] == []
    assert sorted(p.name for p in root.iterdir()) == [
        ".lock",
        "dataset=policeuk_street",
        "manifest.json",
        "staging",
        "staging.lock",
    ]
    assert list((root / "staging").iterdir()) == []
    stored = pq.read_table(result.path)
    assert stored.num_rows == 20
    assert stored.schema.metadata[b"saferstat.month"] == b"2024-12"


def test_loading_the_same_month_again_replaces_it(root):
    warehouse = Warehouse(root)
    first = warehouse.load_policeuk_file(SAMPLE)
    second = warehouse.load_policeuk_file(SAMPLE)
    assert second.replaced and not first.replaced
    assert month_count(root, "2024-12") == 20
    manifest = assert_consistent(root)
    assert len(manifest["partitions"]) == 1
    # the replaced file stays for readers that still use it, listed as retired
    assert [r["path"] for r in manifest["retired"]] == [first.path.relative_to(root).as_posix()]
    assert first.path.exists()
    third = warehouse.load_policeuk_file(demo("2024-12"))
    assert third.replaced and month_count(root, "2024-12") == 13_142


def test_replaced_files_are_swept_after_the_grace_period(root):
    first = Warehouse(root).load_policeuk_file(SAMPLE)
    quick = Warehouse(root, keep_superseded_seconds=0)
    second = quick.load_policeuk_file(SAMPLE)
    assert not first.path.exists() and second.path.exists()
    assert read_manifest(root)["retired"] == []
    assert parquet_files(root) == {second.path.relative_to(root).as_posix()}


def test_a_reader_keeps_its_snapshot_while_a_month_is_replaced(root):
    warehouse = Warehouse(root)
    warehouse.load_policeuk_file(SAMPLE)
    with connect(root) as reader:
        warehouse.load_policeuk_file(demo("2024-12"))
        # the old connection still reads the old file, whole
        query = "SELECT count(*) FROM street_crimes WHERE month = '2024-12'"
        assert reader.execute(query).fetchone()[0] == 20
        assert month_count(root, "2024-12") == 13_142
    removed = Warehouse(root, keep_superseded_seconds=0).sweep()
    assert any(p.suffix == ".parquet" for p in removed)
    assert_consistent(root)


def test_loading_twice_gives_the_same_counts(root):
    files = [demo("2019-06"), demo("2024-12")]
    warehouse = Warehouse(root)
    warehouse.load_reference(ONS)
    query = (
        "SELECT month, crime_type, ward_code, count(*) FROM street_crimes GROUP BY ALL ORDER BY ALL"
    )
    warehouse.load_policeuk_files(files)
    with connect(root) as con:
        before = con.execute(query).fetchall()
    outcomes = warehouse.load_policeuk_files(files)
    assert all(o.replaced for o in outcomes)
    with connect(root) as con:
        assert con.execute(query).fetchall() == before


def test_many_files_load_together_and_refusals_do_not_stop_the_others(root, tmp_path):
    bad = tmp_path / "2024-11-south-yorkshire-street.csv"
    bad.write_text(SAMPLE.read_text().replace("2024-12", "2024-11", 3))  # rows 2-4 only
    seen = []
    outcomes = Warehouse(root).load_policeuk_files(
        [demo("2019-06"), bad, SAMPLE, tmp_path / "nothing-here.csv"], on_result=seen.append
    )
    assert [type(o) for o in outcomes] == [LoadResult, LoadRefusal, LoadResult, LoadRefusal]
    assert len(seen) == 4
    assert isinstance(outcomes[1].error, PoliceUkValidationError)
    assert "2024-11-south-yorkshire-street.csv:5: Month:" in outcomes[1].message
    assert outcomes[1].error.total == 17
    assert isinstance(outcomes[3].error, PoliceUkValidationError)  # bad name first
    assert sorted(read_manifest(root)["partitions"]) == [
        "policeuk_street/south-yorkshire/2019-06",
        "policeuk_street/south-yorkshire/2024-12",
    ]


def test_stored_row_count_equals_the_raw_file_row_count(demo_warehouse):
    """Every month of the demo data: rows stored == rows in the file (csv module)."""
    manifest = read_manifest(demo_warehouse)
    stored = {e["month"]: e["row_count"] for e in manifest["partitions"].values()}
    files = sorted(DEMO.glob("*-street.csv.gz"))
    assert len(stored) == len(files) == 65
    with connect(demo_warehouse) as con:
        in_view = dict(
            con.execute("SELECT month, count(*) FROM street_crimes GROUP BY month").fetchall()
        )
    for path in files:
        month = path.name[:7]
        rows = csv_rows(path)
        assert stored[month] == rows == in_view[month], month
        assert (
            pq.read_metadata(
                demo_warehouse
                / manifest["partitions"][f"policeuk_street/south-yorkshire/{month}"]["path"]
            ).num_rows
            == rows
        )
    assert sum(stored.values()) == 960_313


def test_a_stored_copy_that_does_not_match_is_refused(root, monkeypatch, state_of):
    warehouse = Warehouse(root)
    warehouse.load_policeuk_file(SAMPLE)
    before = state_of(root)
    real_write = wh.pq.write_table

    def lose_a_row(table, where, **kwargs):
        real_write(table.slice(1), where, **kwargs)

    monkeypatch.setattr(wh.pq, "write_table", lose_a_row)
    with pytest.raises(WarehouseError, match="stored copy has 13,141 rows but the file has 13,142"):
        warehouse.load_policeuk_file(demo("2024-12"))
    assert state_of(root) == before


# --- refusals leave the warehouse byte-for-byte unchanged ------------------------------


def _lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").splitlines()


def _variant(kind: str, tmp_path: Path) -> Path:
    name = "2024-12-south-yorkshire-street.csv"
    lines = _lines()
    if kind == "header":
        lines[0] = lines[0].replace("LSOA code", "LSOA Code")
    elif kind == "month":
        lines[5] = lines[5].replace(",2024-12,", ",2025-01,")
    elif kind == "crime type":
        lines[6] = lines[6].replace("Anti-social behaviour", "Antisocial behaviour")
    elif kind == "coordinates":
        lines[6] = lines[6].replace("-1.386337", "-500.1")
    elif kind == "lsoa":
        lines[6] = lines[6].replace("E01007694", "X01007694")
    elif kind == "long line":
        lines[5] = lines[5].replace("On or near", "On or near " + "y" * 70_000)
    elif kind == "name":
        name = "december-south-yorkshire.csv"
    path = tmp_path / name
    data = ("\n".join(lines) + "\n").encode()
    if kind == "utf8":
        data = data.replace(b"Shopping Area", b"Shopping \xff\xfeArea", 1)
    if kind == "empty":
        data = b""
    if kind == "truncated gzip":
        path = path.with_name(name + ".gz")
        data = gzip.compress(data)[:-20]
    path.write_bytes(data)
    return path


KINDS = [
    "header",
    "month",
    "crime type",
    "coordinates",
    "lsoa",
    "long line",
    "utf8",
    "empty",
    "truncated gzip",
    "name",
]


@pytest.mark.parametrize("kind", KINDS)
def test_a_refused_file_leaves_the_warehouse_unchanged(kind, small_warehouse, tmp_path, state_of):
    root = tmp_path / "wh"
    shutil.copytree(small_warehouse, root)
    before = state_of(root)
    manifest_before = (root / "manifest.json").read_bytes()
    bad = _variant(kind, tmp_path)
    with pytest.raises(PoliceUkValidationError) as info:
        Warehouse(root).load_policeuk_file(bad)
    issue = info.value.errors[0]
    assert issue.file == bad.name and issue.field and issue.reason
    assert str(issue).startswith(f"{bad.name}:")
    if kind != "name":
        assert isinstance(issue.line, int) and issue.line >= 1
    assert (root / "manifest.json").read_bytes() == manifest_before
    assert state_of(root) == before
    # the same through the many-files path
    (outcome,) = Warehouse(root).load_policeuk_files([bad])
    assert isinstance(outcome, LoadRefusal)
    assert state_of(root) == before


def test_a_refused_first_load_creates_nothing(root):
    with pytest.raises(PoliceUkValidationError):
        Warehouse(root).load_policeuk_file(_variant("month", root.parent))
    assert not root.exists()


# --- killed loads ----------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    root, path, name, when, nth = sys.argv[1:6]
    nth = int(nth)
    real = getattr(os, name)
    calls = [0]

    def trap(*args, **kwargs):
        calls[0] += 1
        if calls[0] == nth and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        out = real(*args, **kwargs)
        if calls[0] == nth and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return out

    from saferstat.analytics.warehouse import Warehouse
    setattr(os, name, trap)
    Warehouse(root).load_policeuk_file(path)
    print("finished")
    """
)


def run_child(root: Path, path: Path, name: str, when: str, nth: int):
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(root), str(path), name, when, str(nth)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )


def assert_clean(root: Path) -> None:
    """No leftovers of a killed writer once the next writer has run."""
    manifest = read_manifest(root)
    known = {e["path"] for e in manifest["partitions"].values()}
    known |= {r["path"] for r in manifest["retired"]}
    assert parquet_files(root) <= known
    assert list((root / "staging").iterdir()) == []
    assert list(root.glob("manifest.json.tmp-*")) == []


@pytest.mark.parametrize(
    ("name", "when", "nth", "published"),
    [
        ("mkdir", "after", 2, False),  # made its staging folder, owner not yet locked
        ("fsync", "before", 1, False),  # writing the staging file
        ("rename", "before", 1, False),  # staged, not yet in place
        ("rename", "after", 1, False),  # in place, manifest not switched: an orphan
        ("replace", "before", 1, False),  # manifest written to its temporary name only
        ("replace", "after", 1, True),  # switched: the new month is the state
    ],
)
def test_a_killed_load_leaves_the_previous_state(root, name, when, nth, published, state_of):
    warehouse = Warehouse(root)
    warehouse.load_policeuk_file(SAMPLE)
    manifest_before = (root / "manifest.json").read_bytes()
    done = run_child(root, demo("2024-12"), name, when, nth)
    assert done.returncode == -signal.SIGKILL, done.stderr
    manifest = assert_consistent(root)
    if published:
        assert month_count(root, "2024-12") == 13_142
        assert manifest["generation"] == 2
    else:
        assert (root / "manifest.json").read_bytes() == manifest_before
        assert month_count(root, "2024-12") == 20
    if name == "mkdir":
        # killed between making its folder and locking an owner file in it: the folder is
        # left with no owner, and the next writer's sweep (under the staging lock) takes it
        (leftover,) = (root / "staging").iterdir()
        assert not (leftover / ".owner").exists()
    # the next load works and sweeps what the killed one left behind
    result = warehouse.load_policeuk_file(demo("2024-11"))
    assert result.rows == 14_963
    assert_consistent(root)
    assert_clean(root)


def test_loads_killed_at_random_moments(root):
    """A writer loading several months is killed at random times, five times over."""
    warehouse = Warehouse(root)
    warehouse.load_policeuk_file(SAMPLE)
    months = ["2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12"]
    expected_rows = {m: csv_rows(demo(m)) for m in months}
    script = (
        "import sys\n"
        "from saferstat.analytics.warehouse import Warehouse\n"
        "Warehouse(sys.argv[1]).load_policeuk_files(sys.argv[2:], workers=1)\n"
    )
    rng = random.Random(20241201)
    for attempt in range(5):
        child = subprocess.Popen(
            [sys.executable, "-c", script, str(root), *[str(demo(m)) for m in months]],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 1.5) if attempt else 0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        manifest = assert_consistent(root)
        for entry in manifest["partitions"].values():
            if entry["month"] == "2024-12":
                assert entry["row_count"] in (20, expected_rows["2024-12"])
            else:
                assert entry["row_count"] == expected_rows[entry["month"]]
    warehouse.load_policeuk_files([demo(m) for m in months])
    assert_consistent(root)
    assert_clean(root)
    assert {m: month_count(root, m) for m in months} == expected_rows


def test_two_writers_at_once_lose_nothing(root):
    """Two processes publish different months at the same time: both sets survive."""
    Warehouse(root).load_policeuk_file(SAMPLE)
    script = (
        "import sys\n"
        "from saferstat.analytics.warehouse import Warehouse\n"
        "w = Warehouse(sys.argv[1])\n"
        "for path in sys.argv[2:]:\n"
        "    w.load_policeuk_file(path)\n"
    )
    groups = [["2025-01", "2025-03", "2025-05"], ["2025-02", "2025-04", "2025-06"]]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(root), *[str(demo(m)) for m in g]], cwd=REPO
        )
        for g in groups
    ]
    assert [c.wait(timeout=120) for c in children] == [0, 0]
    manifest = assert_consistent(root)
    assert sorted(e["month"] for e in manifest["partitions"].values()) == [
        "2024-12",
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
        "2025-06",
    ]
    assert manifest["generation"] == 7
    assert_clean(root)


# --- months and gaps -------------------------------------------------------------------


def test_missing_months_are_the_gaps_between_first_and_last():
    assert missing_months([]) == []
    assert missing_months(["2019-06"]) == []
    assert missing_months(["2019-08", "2019-06", "2019-06"]) == ["2019-07"]
    assert missing_months(["2019-11", "2020-02"]) == ["2019-12", "2020-01"]


def test_months_and_gaps_of_the_demo_data(demo_warehouse):
    coverage = Warehouse(demo_warehouse).months()
    (sy,) = coverage.values()
    assert sy.force == "south-yorkshire"
    assert (sy.first, sy.last, len(sy.months)) == ("2018-01", "2025-09", 65)
    gap = [f"{y}-{m:02d}" for y in (2021, 2022, 2023) for m in range(1, 13)]
    gap = [m for m in gap if "2021-10" <= m <= "2023-12"]
    assert sy.missing == ["2019-07", *gap]
    assert len(sy.missing) == 28


def test_months_of_an_empty_warehouse(root):
    assert Warehouse(root).months() == {}


# --- the views (the contract) ----------------------------------------------------------


def documented_columns() -> dict[str, list[str]]:
    """View -> column names, from the table in docs/warehouse.md."""
    text = (REPO / "docs" / "warehouse.md").read_text(encoding="utf-8")
    views: dict[str, list[str]] = {}
    for line in text.splitlines():
        match = re.match(r"^\| `(\w+)` \| (.*) \|$", line)
        if not match:
            continue
        cell, depth, items, current = match.group(2), 0, [], ""
        for char in cell:
            depth += char == "("
            depth -= char == ")"
            if char == "," and depth == 0:
                items.append(current)
                current = ""
            else:
                current += char
        items.append(current)
        views[match.group(1)] = [re.search(r"`(\w+)`", item).group(1) for item in items]
    return views


def test_views_have_exactly_the_documented_columns(small_warehouse_con, root):
    documented = documented_columns()
    for view in (
        "street_crimes",
        "lsoa_lookup",
        "lsoa21_population",
        "la_codes",
        "loaded_partitions",
        "lsoa11_lsoa21",
        "lsoa11_ward19",
        "lsoa11_imd2019",
    ):
        assert view in documented, view
    for con in (small_warehouse_con, connect(root)):  # loaded, and empty
        for view, columns in documented.items():
            described = [row[0] for row in con.execute(f"DESCRIBE {view}").fetchall()]
            assert described == columns, view


def test_an_empty_warehouse_gives_empty_views(root):
    with connect(root) as con:
        assert con.execute("SELECT count(*) FROM street_crimes").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM la_codes").fetchone() == (0,)
    assert not root.exists()


def test_street_crimes_rows_of_the_sample(root):
    warehouse = Warehouse(root)
    warehouse.load_reference(ONS)
    warehouse.load_policeuk_file(SAMPLE)
    with connect(root) as con:
        rows = con.execute(
            "SELECT source_line, crime_id, crime_type, lsoa_code, lsoa_vintage, ward_name, "
            "lad_code, month_date, force_slug FROM street_crimes ORDER BY source_line"
        ).fetchall()
    assert len(rows) == 20 and [r[0] for r in rows] == list(range(2, 22))
    asb = [r for r in rows if r[2] == "Anti-social behaviour"]
    assert len(asb) == 4 and all(r[1] is None for r in asb)
    nowhere = [r for r in rows if r[3] is None]
    assert len(nowhere) == 1 and nowhere[0][4:7] == (None, None, None)
    rotherham = [r for r in rows if r[6] == "E08000018"]
    assert len(rotherham) == 11
    assert {r[4] for r in rows if r[3]} == {2021}
    assert {str(r[7]) for r in rows} == {"2024-12-01"} and {r[8] for r in rows} == {
        "south-yorkshire"
    }


def test_wards_appear_when_reference_data_is_loaded_after_the_crimes(root):
    warehouse = Warehouse(root)
    warehouse.load_policeuk_file(demo("2019-06"))
    query = "SELECT count(ward_code), count(lsoa_code), any_value(lsoa_vintage) FROM street_crimes"
    with connect(root) as con:
        assert con.execute(query).fetchone()[0] == 0
    warehouse.load_reference(ONS)
    (entry,) = read_manifest(root)["partitions"].values()
    assert entry["lsoa_vintage"] == 2011
    with connect(root) as con:
        wards, lsoas, vintage = con.execute(query).fetchone()
    assert wards == lsoas == 14_440 - 706 and vintage == 2011


def test_data_rules_hold_over_the_demo_data(demo_warehouse_con):
    con = demo_warehouse_con
    (bad_dates,) = con.execute(
        "SELECT count(*) FROM street_crimes WHERE month_date IS NULL "
        "OR strftime(month_date, '%Y-%m') <> month"
    ).fetchone()
    assert bad_dates == 0
    types = {r[0] for r in con.execute("SELECT DISTINCT crime_type FROM street_crimes").fetchall()}
    assert types == set(CRIME_TYPES)
    (unmapped,) = con.execute(
        "SELECT count(*) FROM street_crimes WHERE lsoa_code IS NOT NULL AND ward_code IS NULL"
    ).fetchone()
    assert unmapped == 0
    # every Rotherham record (by LSOA name) lands in a Rotherham ward, whatever the vintage
    rows = con.execute(
        "SELECT lsoa_vintage, count(*), count(*) FILTER (WHERE lad_code = 'E08000018'), "
        "count(DISTINCT ward_code) FROM street_crimes WHERE lsoa_name LIKE 'Rotherham %' "
        "GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [(v, n == m, w) for v, n, m, w in rows] == [(2011, True, 25), (2021, True, 25)]
    assert sum(n for _, n, _, _ in rows) == 162_903
    # records with no location are kept, not dropped
    (nowhere,) = con.execute(
        "SELECT count(*) FROM street_crimes WHERE lsoa_code IS NULL"
    ).fetchone()
    assert nowhere == 39_445
    vintages = dict(con.execute("SELECT month, lsoa_vintage FROM loaded_partitions").fetchall())
    assert {v for m, v in vintages.items() if m < "2022"} == {2011}
    assert {v for m, v in vintages.items() if m > "2022"} == {2021}


def test_every_record_traces_back_to_its_line(demo_warehouse_con):
    month = "2019-06"
    with gzip.open(demo(month), "rt", encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines()
    rows = demo_warehouse_con.execute(
        "SELECT source_line, crime_id, crime_type, location FROM street_crimes "
        "WHERE month = ? ORDER BY source_line",
        [month],
    ).fetchall()
    assert len(rows) == len(lines) - 1
    for line, crime_id, crime_type, location in rows[::97]:
        raw = next(csv.reader([lines[line - 1]]))
        assert (raw[0] or None, raw[9], raw[6] or None) == (crime_id, crime_type, location)


def test_loaded_partitions_lists_the_manifest(small_warehouse, small_warehouse_con):
    rows = small_warehouse_con.execute(
        "SELECT dataset, force_slug, month, row_count, source_name, lsoa_vintage "
        "FROM loaded_partitions ORDER BY month"
    ).fetchall()
    assert [(r[2], r[3], r[5]) for r in rows] == [
        ("2019-06", 14_440, 2011),
        ("2019-08", 15_418, 2011),
        ("2024-12", 13_142, 2021),
    ]
    assert {r[0] for r in rows} == {"policeuk_street"}
    manifest = json.loads((small_warehouse / "manifest.json").read_text())
    assert len(manifest["partitions"]) == 3 and set(manifest["reference"]) == {
        "lsoa_lookup",
        "lsoa_by_code",
        "lsoa11_lsoa21",
        "lsoa11_ward19",
        "lsoa21_population",
        "la_codes",
        "lsoa11_imd2019",
    }


def test_a_failed_switch_leaves_no_files_behind(root, monkeypatch, state_of):
    warehouse = Warehouse(root)
    warehouse.load_policeuk_file(SAMPLE)
    before = state_of(root)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wh.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        warehouse.load_policeuk_file(demo("2024-12"))
    monkeypatch.undo()
    assert state_of(root) == before


def test_the_same_month_twice_in_one_call_loads_the_last(root, tmp_path):
    copy = tmp_path / "copy" / SAMPLE.name
    copy.parent.mkdir()
    copy.write_bytes(SAMPLE.read_bytes())
    outcomes = Warehouse(root).load_policeuk_files([demo("2024-12"), copy])
    assert isinstance(outcomes[0], LoadRefusal) and isinstance(outcomes[1], LoadResult)
    assert "comes later" in outcomes[0].message
    assert month_count(root, "2024-12") == 20


def test_a_corrupt_manifest_is_reported(root):
    Warehouse(root).load_policeuk_file(SAMPLE)
    (root / "manifest.json").write_text("{not json")
    with pytest.raises(WarehouseError, match="not a valid manifest"):
        connect(root)


def test_readers_see_whole_months_while_a_writer_replaces_them(root):
    """Readers connect and count over and over while a writer keeps replacing a month."""
    import threading

    warehouse = Warehouse(root)
    warehouse.load_policeuk_file(SAMPLE)
    seen: set[int] = set()
    errors: list[Exception] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.add(month_count(root, "2024-12"))
            except Exception as exc:  # pragma: no cover - the assertion shows it
                errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for path in [demo("2024-12"), SAMPLE] * 3:
            Warehouse(root).load_policeuk_file(path)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert errors == []
    assert seen <= {20, 13_142} and seen


def test_many_small_files_in_parallel_never_sweep_a_live_writer(root, tmp_path):
    """Publishing (and sweeping) while other threads are still staging their files."""
    text = SAMPLE.read_text(encoding="utf-8")
    months = [f"{y}-{m:02d}" for y in (2020, 2021, 2022) for m in range(1, 13)]
    files = []
    for month in months:
        path = tmp_path / "in" / f"{month}-south-yorkshire-street.csv"
        path.parent.mkdir(exist_ok=True)
        path.write_text(text.replace(",2024-12,", f",{month},"), encoding="utf-8")
        files.append(path)
    warehouse = Warehouse(root, keep_superseded_seconds=0)
    for _ in range(3):
        outcomes = warehouse.load_policeuk_files(files, workers=4)
        assert [o.message for o in outcomes if isinstance(o, LoadRefusal)] == []
    manifest = assert_consistent(root)
    assert len(manifest["partitions"]) == 36
    assert_clean(root)


def test_loading_files_imports_neither_pandas_nor_duckdb(tmp_path):
    # pyarrow imports pandas (over a second) the first time a Python value meets pa.array or
    # pa.scalar; the loader builds its arrays from buffers so that `saferstat load` never pays
    # it, and it needs no DuckDB either. Both are installed here, so this can fail.
    Warehouse(tmp_path / "wh").load_reference(ONS)
    code = textwrap.dedent(
        f"""
        import sys
        from saferstat.analytics.warehouse import Warehouse
        results = Warehouse({str(tmp_path / "wh")!r}).load_policeuk_files([
            {str(DEMO / "2024-01-south-yorkshire-street.csv.gz")!r},
            {str(SAMPLE)!r},
        ])
        print(sum(r.rows for r in results), "pandas" in sys.modules, "duckdb" in sys.modules)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout.split()
    assert out[1:] == ["False", "False"]
    assert int(out[0]) > 14_000


def test_connections_share_a_catalogue_per_manifest_version_but_not_their_own_objects(root):
    warehouse = Warehouse(root)
    warehouse.load_reference(ONS)
    warehouse.load_policeuk_files([demo("2024-12")])
    count = "SELECT count(*) FROM street_crimes"
    first, second = connect(root), connect(root)
    expected = first.execute(count).fetchone()[0]
    assert expected > 10_000
    first.execute("CREATE TEMP TABLE mine AS SELECT 1 AS x")
    first.register("registered", first.sql("SELECT 2 AS y").to_arrow_table())
    for name in ("mine", "registered"):
        with pytest.raises(Exception, match=name):
            second.execute(f"SELECT * FROM {name}")
    # A new load is a new manifest: a new connection sees it, an open one keeps its snapshot.
    warehouse.load_policeuk_files([demo("2019-06")])
    third = connect(root)
    assert third.execute(count).fetchone()[0] > expected
    assert second.execute(count).fetchone()[0] == expected
    # Evicted catalogues stay alive for the connections still open on them.
    for n in range(wh._CATALOGUES_MAX + 2):
        connect(root, force_slugs=[f"force-{n}"]).close()
    assert third.execute(count).fetchone()[0] > expected
    assert len(wh._CATALOGUES) <= wh._CATALOGUES_MAX
    for con in (first, second, third):
        con.close()
