"""Partner datasets: schemas, reading CSV and XLSX, every refusal with its line, storing,
replacing periods, the ``partner_records`` view, and counts against an independent recount.

Every refused file must leave the warehouse byte-identical. Counts are checked against a
recount of the uploaded CSV made here with the csv module and the ONS lookup file, without
DuckDB or the code under test.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import shutil
import tempfile
import uuid
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saferstat.analytics import partner
from saferstat.analytics.partner import Column, DatasetSchema, PartnerValidationError, SchemaError
from saferstat.analytics.periods import parse_period
from saferstat.analytics.reference import UnknownAreaError
from saferstat.analytics.warehouse import STREET_DATASET, Warehouse, WarehouseError, connect

REPO = Path(__file__).resolve().parents[2]
ONS = REPO / "demo_data" / "ons"
ROTHERHAM = ["E08000018"]
LOOKUP = ONS / "LSOA21_WD24_LAD24_EW_LU.csv"


def warehouse_state(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with its hash, to prove nothing changed."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "dir"
        for p in sorted(root.rglob("*"))
    }


def ons_lookup() -> list[dict[str, str]]:
    """The ONS LSOA 2021 -> ward 2024 -> LAD 2024 rows, read with the csv module."""
    with LOOKUP.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


LOOKUP_ROWS = ons_lookup()
WARD_NAME = {r["WD24CD"]: r["WD24NM"] for r in LOOKUP_ROWS}
WARD_OF_LSOA = {r["LSOA21CD"]: r["WD24CD"] for r in LOOKUP_ROWS}
ROTHERHAM_WARDS = sorted({r["WD24CD"] for r in LOOKUP_ROWS if r["LAD24CD"] == "E08000018"})
ROTHERHAM_LSOAS = sorted({r["LSOA21CD"] for r in LOOKUP_ROWS if r["LAD24CD"] == "E08000018"})
SHEFFIELD_WARD = next(r["WD24CD"] for r in LOOKUP_ROWS if r["LAD24NM"] == "Sheffield")
W1, W2, W3 = ROTHERHAM_WARDS[:3]

KNIFE = DatasetSchema(
    slug="knife-crime",
    columns=(
        Column("Month", "period"),
        Column("Ward code", "area"),
        Column("Offence", "category"),
        Column("Offences", "count"),
    ),
    granularity="month",
    area_level="ward",
)
HATE = DatasetSchema(
    slug="hate-incidents",
    columns=(
        Column("Date", "period"),
        Column("LSOA code", "area"),
        Column("Strand", "category", allowed=("Race", "Religion or belief", "Disability")),
        Column("Outcome", "outcome", required=False),
        Column("Reference", "ignore", required=False),
    ),
    granularity="month",
    area_level="lsoa",
    sensitive=True,
)
MISSING = DatasetSchema(
    slug="repeat-missing",
    columns=(
        Column("Quarter", "period"),
        Column("Ward code", "area"),
        Column("Age group", "category", allowed=("Under 12", "12 to 15", "16 to 17")),
        Column("Children", "count"),
    ),
    granularity="quarter",
    area_level="ward",
)
DA = DatasetSchema(
    slug="da-referrals",
    columns=(
        Column("Month", "period"),
        Column("Local authority code", "area"),
        Column("Risk", "category"),
        Column("Referrals", "count"),
    ),
    granularity="month",
    area_level="partnership",
)
KNIFE_HEADER = ["Month", "Ward code", "Offence", "Offences"]


# --- fixtures and helpers ----------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_root(tmp_path_factory) -> Path:
    """A warehouse with the ONS reference tables only (read-only: copy it to write)."""
    root = tmp_path_factory.mktemp("partner-reference") / "warehouse"
    Warehouse(root).load_reference(ONS)
    return root


@pytest.fixture(scope="module")
def known(reference_root) -> dict[str, frozenset[str]]:
    with connect(reference_root) as con:
        return {
            level: partner.known_area_codes(con, level=level, lad_codes=ROTHERHAM)
            for level in partner.AREA_LEVELS
        }


@pytest.fixture
def root(reference_root, tmp_path) -> Path:
    copy = tmp_path / "warehouse"
    shutil.copytree(reference_root, copy)
    return copy


def csv_bytes(rows: list[list], *, bom: bool = False, crlf: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n" if crlf else "\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def write(tmp_path: Path, name: str, content: bytes | list[list]) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else csv_bytes(content))
    return path


def write_xlsx(tmp_path: Path, name: str, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def load(root: Path, path: Path, known, schema: DatasetSchema = KNIFE) -> partner.StoreResult:
    return partner.load_file(
        Warehouse(root),
        path,
        schema=schema,
        partnership_slug="rotherham",
        known_area_codes=known[schema.area_level],
    )


def refused(root: Path, path: Path, known, schema: DatasetSchema = KNIFE) -> PartnerValidationError:
    """Load a file that must be refused; check nothing changed; return the error."""
    before = warehouse_state(root)
    with pytest.raises(PartnerValidationError) as caught:
        load(root, path, known, schema)
    assert warehouse_state(root) == before, "a refused file changed the warehouse"
    return caught.value


GOOD = [KNIFE_HEADER, ["2024-05", W1, "Possession", "3"], ["2024-05", W2, "Possession", "1"]]


# --- the schema --------------------------------------------------------------------------


def test_schema_roles_and_round_trip():
    assert (KNIFE.period_column, KNIFE.area_column, KNIFE.count_column) == (
        "Month",
        "Ward code",
        "Offences",
    )
    assert KNIFE.category_columns == ("Offence",) and KNIFE.outcome_column is None
    assert HATE.is_record_level and HATE.outcome_column == "Outcome"
    again = DatasetSchema.from_dict(HATE.to_dict(), slug="hate-incidents", sensitive=True)
    assert again == HATE
    assert HATE.header == ["Date", "LSOA code", "Strand", "Outcome", "Reference"]
    assert partner.dataset_name("rotherham", "knife-crime") == "partner_rotherham_knife-crime"


@pytest.mark.parametrize(
    ("columns", "kwargs", "problem"),
    [
        (
            [("Month", "period"), ("Month2", "period"), ("Ward", "area")],
            {},
            "exactly one period column (found 2)",
        ),
        ([("Month", "period")], {}, "exactly one area column (found 0)"),
        (
            [("M", "period"), ("W", "area"), ("N", "count"), ("N2", "count")],
            {},
            "at most one count column",
        ),
        ([("M", "period"), ("m", "area")], {}, "two columns are called 'm'"),
        ([("M", "period"), ("W", "area"), ("X", "colour")], {}, "the type must be one of"),
        ([("M", "period"), ("W", "area")], {"slug": "Knife Crime"}, "the short name 'Knife Crime'"),
        ([("M", "period"), ("W", "area")], {"granularity": "week"}, "'month' or 'quarter'"),
        (
            [("M", "period"), ("W", "area")],
            {"area_level": "county"},
            "'lsoa', 'ward' or 'partnership'",
        ),
        ([(" M", "period"), ("W", "area")], {}, "column 1 needs a name"),
    ],
)
def test_a_bad_declaration_lists_its_problems(columns, kwargs, problem):
    options = {"slug": "x", **kwargs}
    with pytest.raises(SchemaError) as caught:
        DatasetSchema(columns=tuple(Column(n, t) for n, t in columns), **options)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_only_categories_and_outcomes_take_a_list_and_counts_are_required():
    with pytest.raises(SchemaError, match="only category and outcome columns take a list"):
        DatasetSchema(
            "x", (Column("M", "period"), Column("W", "area"), Column("N", "count", allowed=("1",)))
        )
    with pytest.raises(SchemaError, match="a count column is always required"):
        DatasetSchema(
            "x", (Column("M", "period"), Column("W", "area"), Column("N", "count", required=False))
        )
    with pytest.raises(SchemaError, match="unknown key"):
        DatasetSchema.from_dict({"columns": [], "colour": 1}, slug="x")


# --- accepted files ----------------------------------------------------------------------


def stored_rows(root: Path) -> list[tuple]:
    with connect(root) as con:
        return con.execute(
            "SELECT source_line, period, area_code, categories, count, outcome, record_date "
            "FROM partner_records ORDER BY source_line"
        ).fetchall()


@pytest.mark.parametrize("variant", ["lf", "crlf", "bom-lf", "bom-crlf", "xlsx"])
def test_line_ends_byte_order_mark_and_xlsx_give_the_same_rows(variant, root, known, tmp_path):
    rows = [KNIFE_HEADER, ["2024-05", W1, "Possession", 3], ["2024-06", W2, "Robbery", 0]]
    if variant == "xlsx":
        path = write_xlsx(tmp_path, "knife.xlsx", rows)
    else:
        path = write(
            tmp_path, "knife.csv", csv_bytes(rows, bom="bom" in variant, crlf="crlf" in variant)
        )
    result = load(root, path, known)
    assert (result.rows, result.periods, result.replaced) == (2, ["2024-05", "2024-06"], [])
    assert stored_rows(root) == [
        (2, "2024-05", W1, {"Offence": "Possession"}, 3, None, None),
        (3, "2024-06", W2, {"Offence": "Robbery"}, 0, None, None),
    ]


def test_dates_and_month_forms_and_xlsx_dates(root, known, tmp_path):
    import datetime as dt

    rows = [
        ["Date", "LSOA code", "Strand", "Outcome", "Reference"],
        [dt.datetime(2024, 5, 3), ROTHERHAM_LSOAS[0], "race", "Charged", "A1"],
        ["13/05/2024", ROTHERHAM_LSOAS[1], "Disability", None, "A2"],
        ["2024-06-01 10:30", ROTHERHAM_LSOAS[1], "Religion or belief", "No further action", None],
        ["Jul 2024", ROTHERHAM_LSOAS[2], "Race", "", "A4"],
    ]
    result = load(root, write_xlsx(tmp_path, "hate.xlsx", rows), known, HATE)
    assert result.periods == ["2024-05", "2024-06", "2024-07"]
    got = stored_rows(root)
    assert [r[3] for r in got] == [{"Strand": "Race"}] * 1 + [{"Strand": "Disability"}] + [
        {"Strand": "Religion or belief"},
        {"Strand": "Race"},
    ]  # listed values are stored in their declared spelling
    assert [r[6] for r in got] == [
        dt.date(2024, 5, 3),
        dt.date(2024, 5, 13),
        dt.date(2024, 6, 1),
        None,
    ]
    assert [r[5] for r in got] == ["Charged", None, "No further action", None]
    with connect(root) as con:  # the ignored column is not stored anywhere
        assert "Reference" not in str(con.execute("SELECT * FROM partner_records").fetchall())


def test_columns_in_any_order_and_any_case_blank_lines_keep_their_numbers(root, known, tmp_path):
    body = (
        "offences,MONTH,Offence,ward code\n"
        f"2,2024-05,Possession,{W1}\n"
        "\n"
        f'4,2024-05,"Robbery\nwith a knife",{W1}\n'
        f"1,2024-05,Possession,{W2}\n"
    ).encode()
    load(root, write(tmp_path, "knife.csv", body), known)
    assert [(r[0], r[3]["Offence"], r[4]) for r in stored_rows(root)] == [
        (2, "Possession", 2),
        (4, "Robbery with a knife", 4),
        (6, "Possession", 1),
    ]


# --- refused files: every problem as file:line: column: reason -----------------------------


BROKEN_CSV = [
    ("missing column", [["Month", "Ward code", "Offences"], ["2024-05", W1, "3"]],
     "knife.csv:1: Offence: missing: the header has no column 'Offence'"),
    ("extra column", [[*KNIFE_HEADER, "Notes"], ["2024-05", W1, "Possession", "3", "x"]],
     "knife.csv:1: Notes: is not a column of this dataset"),
    ("repeated column", [[*KNIFE_HEADER, "offences"], ["2024-05", W1, "Possession", "3", "3"]],
     "knife.csv:1: offences: appears twice in the header"),
    ("bad month", [KNIFE_HEADER, ["2024-05", W1, "Possession", "3"], ["2024-13", W1, "Robbery", "1"]],
     "knife.csv:3: Month: '2024-13' is not a month: the month must be 1 to 12"),
    ("bad date", [KNIFE_HEADER, ["31/02/2024", W1, "Possession", "3"]],
     "knife.csv:2: Month: '31/02/2024' is not a date"),
    ("not a date", [KNIFE_HEADER, ["next May", W1, "Possession", "3"]],
     "knife.csv:2: Month: 'next May' is not a month or a date"),
    ("quarter in a monthly dataset", [KNIFE_HEADER, ["2024/25-Q1", W1, "Possession", "3"]],
     "knife.csv:2: Month: '2024/25-Q1' is a quarter, but this dataset is monthly"),
    ("year out of range", [KNIFE_HEADER, ["1924-05", W1, "Possession", "3"]],
     "knife.csv:2: Month: '1924-05' is outside 2000 to 2099"),
    ("empty period", [KNIFE_HEADER, ["", W1, "Possession", "3"]], "knife.csv:2: Month: is empty"),
    ("unknown ward", [KNIFE_HEADER, ["2024-05", SHEFFIELD_WARD, "Possession", "3"]],
     f"knife.csv:2: Ward code: '{SHEFFIELD_WARD}' is not one of this partnership's wards (2024 ONS wards)"),
    ("not a ward code", [KNIFE_HEADER, ["2024-05", "Maltby", "Possession", "3"]],
     "knife.csv:2: Ward code: 'MALTBY' is not a ward code (E05 or W05 and 6 digits)"),
    ("LSOA instead of ward", [KNIFE_HEADER, ["2024-05", ROTHERHAM_LSOAS[0], "Possession", "3"]],
     f"knife.csv:2: Ward code: '{ROTHERHAM_LSOAS[0]}' is not a ward code"),
    ("negative count", [KNIFE_HEADER, ["2024-05", W1, "Possession", "-3"]],
     "knife.csv:2: Offences: -3 is negative: a count must be 0 or more"),
    ("fraction", [KNIFE_HEADER, ["2024-05", W1, "Possession", "2.5"]],
     "knife.csv:2: Offences: '2.5' is not a whole number"),
    ("suppressed", [KNIFE_HEADER, ["2024-05", W1, "Possession", "*"]],
     "knife.csv:2: Offences: '*' looks like a suppressed or missing value"),
    ("text count", [KNIFE_HEADER, ["2024-05", W1, "Possession", "three"]],
     "knife.csv:2: Offences: 'three' is not a whole number"),
    ("empty count", [KNIFE_HEADER, ["2024-05", W1, "Possession", ""]],
     "knife.csv:2: Offences: is empty: give a whole number (0 or more)"),
    ("empty category", [KNIFE_HEADER, ["2024-05", W1, " ", "3"]], "knife.csv:2: Offence: is empty"),
    ("duplicate rows", [KNIFE_HEADER, ["2024-05", W1, "Possession", "3"], ["2024-05", W2, "Possession", "1"],
                        ["2024-05", W1, "Possession", "2"]],
     "knife.csv:4: row: duplicate of line 2 (same period, area and Offence): give one row with the total"),
    ("too many values", [KNIFE_HEADER, ["2024-05", W1, "Possession", "3", "oops"]],
     "knife.csv:2: row: has 5 or more values; the header has 4 columns"),
    ("header only", [KNIFE_HEADER], "knife.csv:2: row: the file has a header but no data rows"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "rows", "message"), BROKEN_CSV, ids=[c[0] for c in BROKEN_CSV])
def test_each_broken_csv_is_refused_with_line_column_and_reason(
    case, rows, message, root, known, tmp_path
):
    error = refused(root, write(tmp_path, "knife.csv", rows), known)
    assert any(m.startswith(message) for m in error.messages), error.messages


BROKEN_BYTES = [
    ("empty file", "knife.csv", b"", "knife.csv: file: the file is empty"),
    ("blank file", "knife.csv", b"\r\n\n  \n", "knife.csv: file: the file is empty"),
    ("not UTF-8", "knife.csv", b"Month,Ward code,Offence,Offences\n2024-05," + W1.encode() + b",Caf\xe9,3\n",
     "knife.csv:2: encoding: not valid UTF-8 (byte 0xe9"),
    ("UTF-16", "knife.csv", "Month,Ward code\n".encode("utf-16"), "knife.csv: encoding: the file is UTF-16 text"),
    ("wrong kind of file", "knife.txt", b"Month\n", "knife.txt: file: 'knife.txt' must be a .csv or .xlsx file"),
    ("old Excel", "knife.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "knife.xls: file: this is an old Excel (.xls) file: save it as .xlsx or as CSV UTF-8"),
    ("old Excel named xlsx", "knife.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
     "knife.xlsx: file: this is an old Excel (.xls) file"),
    ("CSV named xlsx", "knife.xlsx", b"Month,Ward code\n", "knife.xlsx: file: this is not an Excel workbook"),
    ("broken zip", "knife.xlsx", b"PK\x03\x04rubbish", "knife.xlsx: file: this is not a readable Excel workbook"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "name", "body", "message"), BROKEN_BYTES, ids=[c[0] for c in BROKEN_BYTES]
)
def test_each_unreadable_file_is_refused(case, name, body, message, root, known, tmp_path):
    error = refused(root, write(tmp_path, name, body), known)
    assert any(m.startswith(message) for m in error.messages), error.messages


def test_an_xlsx_named_csv_is_refused(root, known, tmp_path):
    xlsx = write_xlsx(tmp_path, "real.xlsx", GOOD)
    error = refused(root, write(tmp_path, "knife.csv", xlsx.read_bytes()), known)
    assert error.messages == [
        "knife.csv: file: this is an Excel workbook, not a CSV file: name it .xlsx"
    ]


def test_a_formula_cell_is_an_error_and_is_never_run(root, known, tmp_path):
    rows = [KNIFE_HEADER, ["2024-05", W1, "Possession", 3], ["2024-05", W2, "Possession", "=1+2"]]
    path = write_xlsx(tmp_path, "knife.xlsx", rows)
    sheet_cell = openpyxl.load_workbook(path)["Sheet"]["D3"]
    assert sheet_cell.data_type == "f"  # the workbook really holds a formula
    error = refused(root, path, known)
    assert error.messages[0].startswith(
        "knife.xlsx:3: Offences: holds a formula ('=1+2'): formulas are not run"
    ), error.messages


def test_an_error_value_cell_is_an_error(root, known, tmp_path):
    path = write_xlsx(tmp_path, "knife.xlsx", [KNIFE_HEADER, ["2024-05", W1, "Possession", "#N/A"]])
    error = refused(root, path, known)
    assert error.messages[0] == "knife.xlsx:2: Offences: holds the error value '#N/A'"


def test_xlsx_reads_the_first_sheet_from_its_first_non_blank_row(root, known, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A3"], sheet["B3"], sheet["C3"], sheet["D3"] = KNIFE_HEADER
    sheet.append(["2024-05", W1, "Possession", 3.0])  # Excel numbers are floats
    sheet.append([])
    sheet.append(["2024-05", W2, "Possession", -1])
    book.create_sheet("Notes").append(["ignored", "=1+1"])
    path = tmp_path / "knife.xlsx"
    book.save(path)
    error = refused(root, path, known)
    assert error.messages == ["knife.xlsx:6: Offences: -1 is negative: a count must be 0 or more"]


def test_a_quarterly_dataset_takes_financial_year_quarters_only(root, known, tmp_path):
    rows = [
        ["Quarter", "Ward code", "Age group", "Children"],
        ["2024/25-Q1", W1, "12 to 15", "3"],
        ["2024-05", W1, "12 to 15", "3"],
        ["2024/25", W1, "12 to 15", "3"],
        ["2024/26-Q1", W1, "12 to 15", "3"],
        ["2024/25-Q5", W1, "12 to 15", "3"],
        ["2024/25 Q2", W1, "Adult", "3"],
    ]
    error = refused(root, write(tmp_path, "missing.csv", rows), known, MISSING)
    assert error.messages == [
        "missing.csv:3: Quarter: '2024-05' is a month or a date, but this dataset is quarterly: "
        "expected a financial-year quarter such as 2024/25-Q1 (Q1 April-June ... Q4 January-March)",
        "missing.csv:4: Quarter: '2024/25' is a financial year, not a quarter: expected a "
        "financial-year quarter such as 2024/25-Q1 (Q1 April-June ... Q4 January-March)",
        "missing.csv:5: Quarter: '2024/26-Q1' is not a quarter: the second year must follow the first",
        "missing.csv:6: Quarter: '2024/25-Q5' is not a quarter: quarters are Q1 to Q4",
        "missing.csv:7: Age group: 'Adult' is not one of: Under 12, 12 to 15, 16 to 17",
    ]


def test_every_error_is_reported_up_to_the_cap_then_and_n_more(root, known, tmp_path):
    rows = [KNIFE_HEADER] + [["2024-05", W1, f"Offence {i}", "-1"] for i in range(250)]
    error = refused(root, write(tmp_path, "knife.csv", rows), known)
    assert (len(error.errors), error.total, error.more) == (200, 250, 50)
    assert error.messages[0].startswith("knife.csv:2: Offences: -1 is negative")
    assert error.messages[199].startswith("knife.csv:201: Offences:")
    assert error.messages[-1] == "... and 50 more"
    assert "refused, 250 problems" in str(error)


def test_too_many_rows_is_refused(known, tmp_path):
    rows = [KNIFE_HEADER] + [["2024-05", W1, f"Offence {i}", "1"] for i in range(7)]
    table = partner.read_table(write(tmp_path, "knife.csv", rows), max_rows=5)
    assert table.truncated and len(table.rows) == 5
    with pytest.raises(PartnerValidationError) as caught:
        partner.validate(KNIFE, table, known_area_codes=known["ward"])
    assert caught.value.messages == [
        "knife.csv: rows: the file has more than 5 data rows: split it into several files (by period)"
    ]


def test_areas_at_each_level(reference_root, known):
    assert len(known["ward"]) == 25 and set(ROTHERHAM_WARDS) == known["ward"]
    assert set(ROTHERHAM_LSOAS) <= known["lsoa"]  # and the 2011 codes that map into Rotherham
    assert any(code not in ROTHERHAM_LSOAS for code in known["lsoa"])
    assert known["partnership"] == {"E08000018"}
    with connect(reference_root) as con:
        barnsley = partner.known_area_codes(con, level="partnership", lad_codes=["E08000038"])
    assert barnsley == {"E08000016", "E08000038"}


def test_area_codes_need_reference_data(tmp_path):
    with (
        connect(tmp_path / "none") as con,
        pytest.raises(UnknownAreaError, match="no reference data"),
    ):
        partner.known_area_codes(con, level="ward", lad_codes=ROTHERHAM)


# --- storing and replacing ---------------------------------------------------------------


def test_uploading_a_period_again_replaces_only_that_period(root, known, tmp_path):
    first = [
        KNIFE_HEADER,
        ["2024-05", W1, "Possession", "3"],
        ["2024-06", W1, "Possession", "5"],
        ["2024-06", W2, "Robbery", "2"],
    ]
    assert load(root, write(tmp_path, "first.csv", first), known).replaced == []
    second = [KNIFE_HEADER, ["2024-06", W3, "Possession", "9"]]
    result = load(root, write(tmp_path, "second.csv", second), known)
    assert (result.periods, result.replaced, result.rows) == (["2024-06"], ["2024-06"], 1)
    with connect(root) as con:
        rows = con.execute(
            "SELECT month, area_code, count FROM partner_records ORDER BY month, area_code"
        ).fetchall()
        assert rows == [("2024-05", W1, 3), ("2024-06", W3, 9)]
        parts = con.execute(
            "SELECT month, row_count, source_name FROM loaded_partitions WHERE dataset = ? ORDER BY 1",
            ["partner_rotherham_knife-crime"],
        ).fetchall()
        assert parts == [("2024-05", 1, "first.csv"), ("2024-06", 1, "second.csv")]
    manifest = Warehouse(root).manifest()
    assert len(manifest["retired"]) == 1  # the old June, kept for readers for a while
    entry = manifest["partitions"]["partner_rotherham_knife-crime/rotherham/2024-06"]
    assert (entry["period"], entry["granularity"], entry["force_slug"]) == (
        "2024-06",
        "month",
        "rotherham",
    )


def test_a_reader_keeps_its_snapshot_while_a_period_is_replaced(root, known, tmp_path):
    load(root, write(tmp_path, "a.csv", [KNIFE_HEADER, ["2024-05", W1, "Possession", "3"]]), known)
    with connect(root) as old:
        load(
            root,
            write(tmp_path, "b.csv", [KNIFE_HEADER, ["2024-05", W1, "Possession", "7"]]),
            known,
        )
        assert old.execute("SELECT sum(count) FROM partner_records").fetchone() == (3,)
    with connect(root) as new:
        assert new.execute("SELECT sum(count) FROM partner_records").fetchone() == (7,)


def test_a_failed_switch_stores_nothing(root, known, tmp_path, monkeypatch):
    import saferstat.analytics.warehouse as wh_module

    def broken_replace(*args, **kwargs):
        raise OSError("disk full")

    before = warehouse_state(root)
    monkeypatch.setattr(wh_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        load(root, write(tmp_path, "knife.csv", GOOD), known)
    monkeypatch.undo()
    Warehouse(root).sweep()
    files = {k: v for k, v in warehouse_state(root).items() if v != "dir"}
    assert files == {k: v for k, v in before.items() if v != "dir"}  # an empty folder may stay


def test_publish_partitions_refuses_bad_names(root):
    import pyarrow as pa

    table = pa.table({"x": [1]})
    wh = Warehouse(root)
    before = warehouse_state(root)
    for dataset, owner, month in [
        (STREET_DATASET, "x", "2024-05"),
        ("../etc", "x", "2024-05"),
        ("partner_x", "../x", "2024-05"),
        ("partner_x", "x", "2024-13"),
        ("partner_x", "x", "May"),
    ]:
        with pytest.raises(ValueError):
            wh.publish_partitions(
                dataset, {month: table}, owner=owner, source_name="x", source_sha256="0"
            )
    with pytest.raises(ValueError, match="nothing to publish"):
        wh.publish_partitions("partner_x", {}, owner="x", source_name="x", source_sha256="0")
    assert warehouse_state(root) == before


def test_a_stored_copy_that_does_not_check_out_is_refused(root, known, tmp_path, monkeypatch):
    import saferstat.analytics.warehouse as wh_module

    class Wrong:
        num_rows = 999

        class schema:  # noqa: N801
            @staticmethod
            def to_arrow_schema():
                raise AssertionError("not reached")

    before = warehouse_state(root)
    monkeypatch.setattr(wh_module.pq, "read_metadata", lambda path: Wrong)
    with pytest.raises(WarehouseError, match="stored copy of 2024-05 has 999 rows"):
        load(root, write(tmp_path, "knife.csv", GOOD), known)
    assert warehouse_state(root) == before


# --- the view and the counts -------------------------------------------------------------


def test_an_empty_warehouse_has_an_empty_partner_view(tmp_path):
    with connect(tmp_path / "empty") as con:
        assert con.execute("SELECT count(*) FROM partner_records").fetchone() == (0,)
        columns = [row[0] for row in con.execute("DESCRIBE partner_records").fetchall()]
    assert (
        columns[:3] == ["dataset", "partnership_slug", "dataset_slug"] and "categories" in columns
    )


def random_knife_file(seed: int, months: list[str]) -> list[list]:
    rng = random.Random(seed)
    rows = [KNIFE_HEADER]
    for month in months:
        for ward in ROTHERHAM_WARDS:
            for offence in ("Possession", "Assault", "Robbery"):
                n = rng.choice([0, 0, 0, 1, 1, 2, 3, 5, 8])
                if n or rng.random() < 0.1:
                    rows.append([month, ward, offence, str(n)])
    rng.shuffle(rows[1:])
    return rows


def recount(path: Path, key) -> Counter:
    """Sum the count column by ``key(row)``, reading the CSV with the csv module only."""
    out: Counter = Counter()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            out[key(row)] += int(row["Offences"])
    return out


def test_counts_equal_an_independent_recount_of_the_file(root, known, tmp_path):
    months = [f"2024-{m:02d}" for m in range(4, 13)] + ["2025-01", "2025-02"]  # 2025-03 missing
    path = write(tmp_path, "knife.csv", random_knife_file(11, months))
    load(root, path, known)
    fy = parse_period("2024/25")
    name = "partner_rotherham_knife-crime"
    with connect(root) as con:
        by_period = partner.partner_counts(
            con, dataset=name, area_codes=ROTHERHAM, period=fy, by="period"
        )
        by_ward = partner.partner_counts(
            con, dataset=name, area_codes=ROTHERHAM, period=fy, by="ward"
        )
        by_offence = partner.partner_counts(
            con, dataset=name, area_codes=ROTHERHAM, period=fy, by="category", category="Offence"
        )
        by_area = partner.partner_counts(
            con, dataset=name, area_codes=ROTHERHAM, period=fy, by="area"
        )
        q3 = partner.partner_counts(
            con, dataset=name, area_codes=ROTHERHAM, period=parse_period("2024/25-Q3"), by="period"
        )
        sheffield = partner.partner_counts(
            con, dataset=name, area_codes=["E08000039"], period=fy, by="period"
        )
    assert by_period.as_dict() == dict(recount(path, lambda r: r["Month"]))
    assert [k for k, _ in by_period.rows] == months  # time order, loaded months only
    assert by_period.missing_periods == ["2025-03"] and by_period.missing_months == ["2025-03"]
    assert not by_period.is_complete
    assert by_ward.as_dict() == {
        WARD_NAME[k]: v for k, v in recount(path, lambda r: r["Ward code"]).items()
    }
    assert by_offence.as_dict() == dict(recount(path, lambda r: r["Offence"]))
    assert by_area.as_dict() == dict(recount(path, lambda r: r["Ward code"]))
    assert by_period.total == by_ward.total == sum(recount(path, lambda r: 0).values())
    assert q3.as_dict() == {
        m: v for m, v in by_period.rows if m in ("2024-10", "2024-11", "2024-12")
    }
    assert q3.is_complete
    # Loaded months with nothing in the area are zeros; months not loaded are missing.
    assert sheffield.rows == [(m, 0) for m in months] and sheffield.missing_periods == ["2025-03"]


def test_record_level_lsoa_data_counts_by_ward_like_crimes(root, known, tmp_path):
    rng = random.Random(5)
    rows = [["Date", "LSOA code", "Strand", "Outcome", "Reference"]]
    for i in range(300):
        rows.append([
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2024",
            rng.choice(ROTHERHAM_LSOAS),
            rng.choice(["Race", "Disability"]),
            rng.choice(["Charged", "No further action", ""]),
            f"REF{i}",
        ])  # fmt: skip
    path = write(tmp_path, "hate.csv", rows)
    load(root, path, known, HATE)
    period = parse_period("R12-2024-12")
    name = "partner_rotherham_hate-incidents"
    with connect(root) as con:
        by_ward = partner.partner_counts(
            con, dataset=name, area_codes=ROTHERHAM, period=period, by="ward"
        )
        by_outcome = partner.partner_counts(
            con, dataset=name, area_codes=ROTHERHAM, period=period, by="outcome"
        )
    expected_ward: Counter = Counter()
    expected_outcome: Counter = Counter()
    for row in rows[1:]:
        expected_ward[WARD_NAME[WARD_OF_LSOA[row[1]]]] += 1
        expected_outcome[row[3] or partner.BLANK] += 1
    assert by_ward.as_dict() == dict(expected_ward)
    assert by_outcome.as_dict() == dict(expected_outcome)
    assert by_ward.is_complete


def test_quarterly_counts_report_missing_quarters_and_need_whole_quarters(root, known, tmp_path):
    rows = [["Quarter", "Ward code", "Age group", "Children"]]
    rows += [
        [q, W1, "12 to 15", str(n)]
        for q, n in (("2024/25-Q1", 4), ("2024/25-Q2", 0), ("2024/25-Q3", 6))
    ]
    rows += [["Q3 2024/25", W2, "16 to 17", "2"]]
    result = load(root, write(tmp_path, "missing.csv", rows), known, MISSING)
    assert result.periods == ["2024/25-Q1", "2024/25-Q2", "2024/25-Q3"]
    name = "partner_rotherham_repeat-missing"
    with connect(root) as con:
        fy = partner.partner_counts(
            con, dataset=name, area_codes=ROTHERHAM, period=parse_period("2024/25"), by="period"
        )
        assert partner.dataset_granularity(con, name) == "quarter"
        assert partner.loaded_periods(con, name) == ["2024/25-Q1", "2024/25-Q2", "2024/25-Q3"]
        r12 = partner.partner_counts(
            con, dataset=name, area_codes=ROTHERHAM, period=parse_period("R12-2024-12"), by="period"
        )
        with pytest.raises(ValueError, match="quarterly"):
            partner.partner_counts(
                con, dataset=name, area_codes=ROTHERHAM, period=parse_period("2024-05"), by="period"
            )
        with pytest.raises(ValueError, match="quarterly"):
            partner.partner_counts(
                con,
                dataset=name,
                area_codes=ROTHERHAM,
                period=parse_period("R12-2024-11"),
                by="period",
            )
    assert fy.rows == [("2024/25-Q1", 4), ("2024/25-Q2", 0), ("2024/25-Q3", 8)]
    assert fy.missing_periods == ["2024/25-Q4"] and fy.missing_months == [
        "2025-01",
        "2025-02",
        "2025-03",
    ]
    assert r12.missing_periods == ["2023/24-Q4"] and r12.total == 12  # fmt: skip


def test_partnership_level_data_counts_by_local_authority_not_ward(root, known, tmp_path):
    rows = [
        ["Month", "Local authority code", "Risk", "Referrals"],
        ["2024-05", "e08000018", "High", "12"],
    ]
    load(root, write(tmp_path, "da.csv", rows), known, DA)
    name = "partner_rotherham_da-referrals"
    with connect(root) as con:
        result = partner.partner_counts(
            con,
            dataset=name,
            area_codes=ROTHERHAM,
            period=parse_period("2024-05"),
            by="category",
            category="Risk",
        )
        assert result.rows == [("High", 12)]
        with pytest.raises(ValueError, match="partnership level"):
            partner.partner_counts(
                con, dataset=name, area_codes=ROTHERHAM, period=parse_period("2024-05"), by="ward"
            )
        with pytest.raises(ValueError, match="cannot count by"):
            partner.partner_counts(
                con, dataset=name, area_codes=ROTHERHAM, period=parse_period("2024-05"), by="colour"
            )
        with pytest.raises(ValueError, match="category="):
            partner.partner_counts(
                con,
                dataset=name,
                area_codes=ROTHERHAM,
                period=parse_period("2024-05"),
                by="category",
            )


# --- property: random bad input never stores anything ------------------------------------


@pytest.fixture(scope="module")
def property_root(reference_root, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("partner-property") / "warehouse"
    shutil.copytree(reference_root, copy)
    return copy


def _good_rows(draw) -> list[list[str]]:
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["2024-04", "2024-05", "2025-01"]),
                st.sampled_from(ROTHERHAM_WARDS),
                st.sampled_from(["Possession", "Robbery", "Assault"]),
            ),
            min_size=1,
            max_size=6,
            unique=True,
        )
    )
    return [[m, w, o, str(draw(st.integers(0, 50)))] for m, w, o in keys]


# Text with no digit is never a month; no control characters, which a workbook cannot hold.
NO_DIGITS = st.text(
    alphabet=st.characters(blacklist_categories=("Nd", "Cs", "Cc")), min_size=1, max_size=12
)


@st.composite
def bad_files(draw) -> tuple[bytes, str]:
    rows = _good_rows(draw)
    i = draw(st.integers(0, len(rows) - 1))
    kind = draw(
        st.sampled_from(
            [
                "period",
                "negative",
                "fraction",
                "area",
                "duplicate",
                "drop",
                "bytes",
                "blank",
                "garbage",
            ]
        )
    )
    header = list(KNIFE_HEADER)
    if kind == "period":
        text = draw(NO_DIGITS.filter(lambda t: t.strip() != ""))
        rows[i][0] = text
    elif kind == "negative":
        rows[i][3] = str(draw(st.integers(max_value=-1)))
    elif kind == "fraction":
        rows[i][3] = repr(draw(st.floats(0, 1e6).filter(lambda f: not f.is_integer())))
    elif kind == "area":
        rows[i][1] = draw(
            st.from_regex(r"\A[EW]0[15]\d{6}\Z").filter(lambda c: c not in ROTHERHAM_WARDS)
        )
    elif kind == "duplicate":
        rows.insert(draw(st.integers(0, len(rows))), list(rows[i]))
    elif kind == "drop":
        gone = draw(st.integers(0, 3))
        header.pop(gone)
        rows = [r[:gone] + r[gone + 1 :] for r in rows]
    elif kind == "blank":
        rows[i][draw(st.sampled_from([0, 1, 2, 3]))] = ""
    body = csv_bytes([header, *rows], bom=draw(st.booleans()), crlf=draw(st.booleans()))
    if kind == "bytes":
        lines = body.split(b"\n")
        at = draw(st.integers(1, len(lines) - 1)) if len(lines) > 2 else 1
        lines[at] = lines[at] + draw(st.sampled_from([b"\xff", b"\xc3(", b"\xe9"]))
        body = b"\n".join(lines)
    if kind == "garbage":
        body = draw(st.binary(max_size=300))
    return body, kind


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=bad_files(), as_xlsx=st.booleans())
def test_random_bad_input_never_stores_anything(case, as_xlsx, property_root, known, tmp_path):
    body, kind = case
    before = warehouse_state(property_root)
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    if as_xlsx and kind not in ("bytes", "garbage"):
        text = body.decode("utf-8-sig")
        path = write_xlsx(folder, "bad.xlsx", list(csv.reader(io.StringIO(text, newline=""))))
    else:
        path = write(folder, "bad.csv", body)
    with pytest.raises(PartnerValidationError) as caught:
        load(property_root, path, known)
    assert caught.value.errors, kind
    for issue in caught.value.errors:  # every problem says where and what
        assert issue.file == path.name and issue.field and issue.reason
    assert warehouse_state(property_root) == before


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_good_input_is_stored_exactly(data, property_root, known, tmp_path):
    rows = _good_rows(data.draw)
    owner = f"p{uuid.uuid4().hex[:12]}"  # a partnership of its own: a dataset of its own
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    path = write(folder, "knife.csv", [KNIFE_HEADER, *rows])
    result = partner.load_file(
        Warehouse(property_root),
        path,
        schema=KNIFE,
        partnership_slug=owner,
        known_area_codes=known["ward"],
    )
    assert result.rows == len(rows) and result.dataset == f"partner_{owner}_knife-crime"
    expected: Counter = Counter()
    for month, _ward, _offence, n in rows:
        expected[month] += int(n)
    with connect(property_root) as con:
        got = con.execute(
            "SELECT month, sum(count) FROM partner_records WHERE dataset = ? GROUP BY 1",
            [result.dataset],
        ).fetchall()
    assert dict(got) == dict(expected)
