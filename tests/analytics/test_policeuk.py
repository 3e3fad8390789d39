"""Reading and validating police.uk street files (saferstat.analytics.policeuk)."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saferstat.analytics import policeuk
from saferstat.analytics.policeuk import (
    COLUMNS,
    CRIME_TYPES,
    MAX_ISSUES,
    MAX_LINE_BYTES,
    STORED_SCHEMA,
    PoliceUkValidationError,
    ValidationIssue,
    count_data_rows,
    parse_file_name,
    read_street_file,
)

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "fixtures" / "policeuk" / "2024-12-south-yorkshire-street.csv"
DEMO = HERE.parents[1] / "demo_data" / "police-uk"
NAME = "2024-12-south-yorkshire-street.csv"


def sample_lines() -> list[str]:
    """The sample file's lines without their line endings (header first)."""
    return SAMPLE.read_text(encoding="utf-8").splitlines()


def write(
    tmp_path: Path,
    lines: list[str],
    *,
    name: str = NAME,
    eol: str = "\n",
    bom: bool = False,
    gz: bool = False,
) -> Path:
    data = (eol.join(lines) + eol).encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    if gz:
        data = gzip.compress(data)
        name = name if name.endswith(".gz") else name + ".gz"
    path = tmp_path / name
    path.write_bytes(data)
    return path


def replace_field(line: str, index: int, value: str) -> str:
    row = next(csv.reader([line]))
    row[index] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(row)  # quotes values with line breaks
    return out.getvalue()[:-2]


def refused(path: Path) -> PoliceUkValidationError:
    with pytest.raises(PoliceUkValidationError) as info:
        read_street_file(path)
    return info.value


# --- constants -------------------------------------------------------------------------


def test_the_published_columns_and_categories():
    assert len(COLUMNS) == 12
    assert COLUMNS[0] == "Crime ID" and COLUMNS[-1] == "Context"
    assert len(CRIME_TYPES) == 14 == len(set(CRIME_TYPES))
    assert "Anti-social behaviour" in CRIME_TYPES
    assert "Violence and sexual offences" in CRIME_TYPES


def test_every_demo_crime_type_is_in_the_closed_list():
    seen = set()
    for month in ("2018-01", "2024-12"):
        with gzip.open(DEMO / f"{month}-south-yorkshire-street.csv.gz", "rt", newline="") as f:
            seen |= {row["Crime type"] for row in csv.DictReader(f)}
    assert seen == set(CRIME_TYPES)


@pytest.mark.parametrize(
    ("name", "month", "force", "gz"),
    [
        ("2024-12-south-yorkshire-street.csv", "2024-12", "south-yorkshire", False),
        ("2018-01-south-yorkshire-street.csv.gz", "2018-01", "south-yorkshire", True),
        ("2025-09-metropolitan-street.csv", "2025-09", "metropolitan", False),
        ("2025-09-avon-and-somerset-street.csv.gz", "2025-09", "avon-and-somerset", True),
        ("/some/folder/2024-04-btp-street.csv", "2024-04", "btp", False),
    ],
)
def test_file_names_give_month_and_force(name, month, force, gz):
    parsed = parse_file_name(name)
    assert (parsed.month, parsed.force_slug, parsed.gzip) == (month, force, gz)


@pytest.mark.parametrize(
    "name",
    [
        "2024-13-south-yorkshire-street.csv",
        "2024-12-south-yorkshire-outcomes.csv",
        "2024-12-south-yorkshire-street.txt",
        "2024-12-South-Yorkshire-street.csv",
        "24-12-south-yorkshire-street.csv",
        "street.csv",
        "2024-12-south-yorkshire-street.csv.zip",
    ],
)
def test_other_file_names_are_refused_with_the_expected_pattern(name):
    with pytest.raises(PoliceUkValidationError) as info:
        parse_file_name(name)
    (issue,) = info.value.errors
    assert issue.field == "file name" and issue.line is None
    assert "YYYY-MM-<force>-street.csv" in str(issue)


def test_issue_prints_as_file_line_field_reason():
    issue = ValidationIssue("2024-12-x-street.csv", 7, "Crime type", "'Knife' is not ...")
    assert str(issue) == "2024-12-x-street.csv:7: Crime type: 'Knife' is not ..."
    assert str(ValidationIssue("f.csv", None, "file name", "bad")) == "f.csv: file name: bad"


# --- the sample file -------------------------------------------------------------------


def test_sample_file_is_read_with_its_lines_and_nulls():
    street = read_street_file(SAMPLE)
    assert (street.name, street.force_slug, street.month) == (NAME, "south-yorkshire", "2024-12")
    assert street.rows == 20 == count_data_rows(SAMPLE)
    assert not street.careful
    table = street.table
    assert table.schema.equals(STORED_SCHEMA)
    assert table.column("source_line").to_pylist() == list(range(2, 22))
    rows = table.to_pylist()
    asb = [r for r in rows if r["crime_type"] == "Anti-social behaviour"]
    assert asb and all(r["crime_id"] is None for r in asb)
    assert all(r["last_outcome_category"] is None for r in asb)
    (nowhere,) = [r for r in rows if r["lsoa_code"] is None]
    assert nowhere["longitude"] is None and nowhere["latitude"] is None
    assert nowhere["location"] == "No Location" and nowhere["lsoa_name"] is None
    assert all(r["context"] is None for r in rows)
    assert {r["month_date"].isoformat() for r in rows} == {"2024-12-01"}
    first = rows[0]
    assert first["longitude"] == pytest.approx(-1.462902)
    # every source_line points at the row's line in the file
    lines = sample_lines()
    for r in rows:
        row = next(csv.reader([lines[r["source_line"] - 1]]))
        assert row[9] == r["crime_type"] and (row[7] or None) == r["lsoa_code"]


@pytest.mark.parametrize(
    ("eol", "bom", "gz"),
    [
        ("\n", False, False),
        ("\r\n", False, False),
        ("\n", True, False),
        ("\r\n", True, False),
        ("\n", False, True),
        ("\r\n", True, True),
    ],
)
def test_line_endings_bom_and_gzip_give_identical_tables(tmp_path, eol, bom, gz):
    reference = read_street_file(SAMPLE).table
    path = write(tmp_path, sample_lines(), eol=eol, bom=bom, gz=gz)
    street = read_street_file(path)
    assert not street.careful
    assert street.table.equals(reference)


def test_careful_pass_builds_the_same_table_as_the_fast_pass():
    for path in (SAMPLE, DEMO / "2018-01-south-yorkshire-street.csv.gz"):
        fast = read_street_file(path)
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        careful = policeuk._careful_pass(data, path.name, fast.month, MAX_ISSUES)
        assert careful.equals(fast.table)


def test_a_value_with_a_line_break_keeps_exact_source_lines(tmp_path):
    lines = sample_lines()
    lines[3] = replace_field(lines[3], 6, "On or near\nHigh Street")
    path = write(tmp_path, lines)
    street = read_street_file(path)
    assert street.careful and street.rows == 20
    source_lines = street.table.column("source_line").to_pylist()
    # rows 1-2 on lines 2-3, the two-line row starts on line 4, the next on line 6
    assert source_lines[:4] == [2, 3, 4, 6]
    assert source_lines[-1] == 22
    assert street.table.column("location")[2].as_py() == "On or near\nHigh Street"


def test_blank_lines_are_not_rows_but_keep_their_line_numbers(tmp_path):
    lines = sample_lines()
    path = write(tmp_path, lines[:5] + [""] + lines[5:] + [""])
    street = read_street_file(path)
    assert street.rows == 20
    assert street.table.column("source_line").to_pylist()[3:6] == [5, 7, 8]


def test_commas_and_quotes_inside_values(tmp_path):
    lines = sample_lines()
    lines[1] = replace_field(lines[1], 6, 'On or near "The Crown", Main Street')
    street = read_street_file(write(tmp_path, lines))
    assert street.table.column("location")[0].as_py() == 'On or near "The Crown", Main Street'


def test_every_demo_file_passes_the_fast_pass_with_the_csv_row_count():
    for path in sorted(DEMO.glob("*.csv.gz"))[::16]:
        street = read_street_file(path)
        assert not street.careful
        assert street.rows == count_data_rows(path)


# --- refusals --------------------------------------------------------------------------


def bad_header(lines):
    lines[0] = lines[0].replace("Crime type", "Crime Type")
    return lines


def bad_month(lines):
    lines[6] = replace_field(lines[6], 1, "2024-11")
    return lines


def bad_crime_type(lines):
    lines[9] = replace_field(lines[9], 9, "Knife crime")
    return lines


def bad_longitude(lines):
    lines[2] = replace_field(lines[2], 4, "-200.5")
    return lines


def bad_latitude(lines):
    lines[2] = replace_field(lines[2], 5, "53,6 N")
    return lines


def half_coordinates(lines):
    lines[2] = replace_field(lines[2], 5, "")
    return lines


def bad_lsoa(lines):
    lines[4] = replace_field(lines[4], 7, "E0100763X")
    return lines


def short_row(lines):
    lines[11] = lines[11].rsplit(",", 1)[0]
    return lines


def long_row(lines):
    lines[11] = lines[11] + ",extra"
    return lines


def very_long_line(lines):
    lines[8] = replace_field(lines[8], 6, "x" * (MAX_LINE_BYTES + 10))
    return lines


@pytest.mark.parametrize(
    ("change", "line", "field", "words"),
    [
        (bad_header, 1, "header", "column 10 is 'Crime Type', expected 'Crime type'"),
        (bad_month, 7, "Month", "'2024-11' does not match the file's month 2024-12"),
        (bad_crime_type, 10, "Crime type", "'Knife crime' is not one of the 14 police.uk"),
        (bad_longitude, 3, "Longitude", "-200.5 is outside -180..180"),
        (bad_latitude, 3, "Latitude", "'53,6 N' is not a number"),
        (half_coordinates, 3, "Latitude", "is empty but Longitude is given"),
        (bad_lsoa, 5, "LSOA code", "'E0100763X' is not an LSOA code"),
        (short_row, 12, "row", "has 11 fields; every row must have 12"),
        (long_row, 12, "row", "has 13 fields"),
        (very_long_line, 9, "line", f"the limit is {MAX_LINE_BYTES:,}"),
    ],
)
@pytest.mark.parametrize("gz", [False, True])
def test_a_bad_row_is_refused_naming_file_line_and_field(tmp_path, change, line, field, words, gz):
    path = write(tmp_path, change(sample_lines()), gz=gz)
    error = refused(path)
    (issue,) = error.errors
    assert (issue.file, issue.line, issue.field) == (path.name, line, field)
    assert words in issue.reason
    assert str(issue).startswith(f"{path.name}:{line}: {field}: ")
    assert str(error).startswith(f"{path.name}: refused, 1 problem:")


def test_all_problems_are_listed_in_file_order(tmp_path):
    lines = bad_lsoa(bad_crime_type(bad_month(sample_lines())))
    error = refused(write(tmp_path, lines))
    assert [(e.line, e.field) for e in error.errors] == [
        (5, "LSOA code"),
        (7, "Month"),
        (10, "Crime type"),
    ]
    assert error.total == 3 and error.more == 0


def test_a_row_with_several_bad_fields_reports_each(tmp_path):
    lines = sample_lines()
    lines[2] = replace_field(replace_field(lines[2], 1, "2023-01"), 9, "Nothing")
    error = refused(write(tmp_path, lines))
    assert [(e.line, e.field) for e in error.errors] == [(3, "Month"), (3, "Crime type")]


def test_many_problems_are_capped_with_and_n_more(tmp_path):
    lines = sample_lines()
    body = [replace_field(lines[1], 1, "2020-01")] * 250
    error = refused(write(tmp_path, [lines[0], *body]))
    assert len(error.errors) == MAX_ISSUES
    assert error.total == 250 and error.more == 150
    assert str(error).rstrip().endswith("... and 150 more")
    assert error.errors[0].line == 2 and error.errors[-1].line == MAX_ISSUES + 1


def test_empty_file(tmp_path):
    path = tmp_path / NAME
    path.write_bytes(b"")
    (issue,) = refused(path).errors
    assert (issue.line, issue.field) == (1, "header") and "empty" in issue.reason


def test_empty_gzip_file(tmp_path):
    path = tmp_path / (NAME + ".gz")
    path.write_bytes(gzip.compress(b""))
    (issue,) = refused(path).errors
    assert (issue.line, issue.field) == (1, "header")


def test_header_only(tmp_path):
    (issue,) = refused(write(tmp_path, sample_lines()[:1])).errors
    assert (issue.line, issue.field) == (2, "row") and "no data rows" in issue.reason


def test_missing_header(tmp_path):
    (issue,) = refused(write(tmp_path, sample_lines()[1:])).errors
    assert (issue.line, issue.field) == (1, "header")


def test_truncated_gzip_names_the_line_where_the_data_stops(tmp_path):
    full = DEMO / "2024-12-south-yorkshire-street.csv.gz"
    data = full.read_bytes()
    path = tmp_path / full.name
    path.write_bytes(data[: len(data) // 2])
    (issue,) = refused(path).errors
    assert issue.field == "gzip" and "truncated" in issue.reason
    assert 1000 < issue.line < 13_143
    assert f"line {issue.line}" in issue.reason


def test_corrupt_gzip(tmp_path):
    data = bytearray((DEMO / "2024-12-south-yorkshire-street.csv.gz").read_bytes())
    data[5000:5100] = b"\x00" * 100
    path = tmp_path / "2024-12-south-yorkshire-street.csv.gz"
    path.write_bytes(bytes(data))
    (issue,) = refused(path).errors
    assert issue.field == "gzip" and issue.line and "corrupt" in issue.reason


def test_gzip_with_a_plain_name_and_plain_with_a_gz_name(tmp_path):
    path = tmp_path / NAME
    path.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    assert "name it .csv.gz" in refused(path).errors[0].reason
    path = tmp_path / (NAME + ".gz")
    path.write_bytes(SAMPLE.read_bytes())
    assert "not gzip data" in refused(path).errors[0].reason


def test_concatenated_gzip_members_are_one_file(tmp_path):
    data = SAMPLE.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1
    path = tmp_path / (NAME + ".gz")
    path.write_bytes(gzip.compress(data[:cut]) + gzip.compress(data[cut:]))
    assert read_street_file(path).table.equals(read_street_file(SAMPLE).table)


def test_bytes_that_are_not_utf8_name_line_and_column(tmp_path):
    lines = sample_lines()
    data = ("\n".join(lines) + "\n").encode()
    target = lines[9].encode()
    assert data.count(target) == 1
    broken = target.replace(b"On or near", b"On or n\xe9ar", 1)
    path = tmp_path / NAME
    path.write_bytes(data.replace(target, broken))
    (issue,) = refused(path).errors
    assert (issue.line, issue.field) == (10, "Location")
    assert "not valid UTF-8" in issue.reason and "0xe9" in issue.reason


def test_latin1_file_is_refused_not_misread(tmp_path):
    lines = sample_lines()
    lines[3] = replace_field(lines[3], 6, "On or near Caf\u00e9 Royal")
    path = tmp_path / NAME
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    (issue,) = refused(path).errors
    assert issue.line == 4 and "UTF-8" in issue.reason


def test_other_forces_and_welsh_lsoas_are_fine(tmp_path):
    lines = [
        line.replace("South Yorkshire Police", "Dyfed-Powys Police") for line in sample_lines()
    ]
    lines[1] = replace_field(lines[1], 7, "W01000001")
    street = read_street_file(write(tmp_path, lines, name="2024-12-dyfed-powys-street.csv"))
    assert street.force_slug == "dyfed-powys"
    assert street.table.column("lsoa_code")[0].as_py() == "W01000001"


def test_unreadable_file_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        read_street_file(tmp_path / NAME)


def test_stored_schema_has_traceable_lines():
    assert STORED_SCHEMA.field("source_line").type == pa.int64()
    assert not STORED_SCHEMA.field("source_line").nullable


# --- the fast pass never accepts what the careful pass refuses --------------------------

VALUES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "2024-12",
            "2024-11",
            "-1.5",
            "+1.5",
            "1.",
            ".5",
            "1e3",
            "nan",
            "inf",
            " 1.5",
            "180",
            "180.0001",
            "-90",
            "E01007694",
            "W01000001",
            "e01007694",
            "E010076940",
            "Drugs",
            "drugs",
            "Drugs ",
            '"',
            "\r",
            "\n",
            "a,b",
            "\ufeff",
        ]
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    row=st.integers(1, 20),
    column=st.integers(0, 11),
    value=VALUES,
    eol=st.sampled_from(["\n", "\r\n"]),
)
def test_fast_pass_agrees_with_the_careful_pass(row, column, value, eol):
    lines = sample_lines()
    lines[row] = replace_field(lines[row], column, value)
    data = (eol.join(lines) + eol).encode("utf-8")
    fast = policeuk._fast_pass(data, "2024-12")
    try:
        careful = policeuk._careful_pass(data, NAME, "2024-12", MAX_ISSUES)
    except PoliceUkValidationError:
        careful = None
    if fast is not None:
        assert careful is not None, "fast pass accepted a file the careful pass refuses"
        assert fast.equals(careful)


def test_messages_list_every_problem_then_how_many_more(tmp_path):
    lines = sample_lines()
    body = [replace_field(lines[1], 1, "2020-01")] * 103
    error = refused(write(tmp_path, [lines[0], *body]))
    assert (
        error.messages[0]
        == f"{NAME}:2: Month: '2020-01' does not match the file's month 2024-12 (from its name)"
    )
    assert error.messages[-1] == "... and 3 more" and len(error.messages) == MAX_ISSUES + 1


def test_large_concatenated_gzip_members_lose_nothing(tmp_path):
    """Members ending inside a read chunk, with more chunks after (a >1 MB file)."""
    full = DEMO / "2024-12-south-yorkshire-street.csv.gz"
    data = gzip.decompress(full.read_bytes())
    cuts = [0, *(data.index(b"\n", n) + 1 for n in (300_000, 1_500_000, 2_900_000)), len(data)]
    members = b"".join(
        gzip.compress(data[a:b], compresslevel=0) for a, b in zip(cuts, cuts[1:], strict=False)
    )
    assert len(members) > 2 << 20  # several 1 MiB read chunks
    path = tmp_path / full.name
    path.write_bytes(members)
    assert read_street_file(path).table.equals(read_street_file(full).table)


def test_a_gzip_header_with_reserved_flags_is_refused(tmp_path):
    # ISA-L (the fast path) would inflate it; zlib refuses reserved header flags, and the
    # fast path must not accept what the careful one refuses.
    raw = bytearray(gzip.compress(SAMPLE.read_bytes()))
    raw[3] |= 0x20
    path = tmp_path / "2024-12-south-yorkshire-street.csv.gz"
    path.write_bytes(bytes(raw))
    with pytest.raises(PoliceUkValidationError, match="gzip"):
        read_street_file(path)
