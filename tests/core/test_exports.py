"""CSV, XLSX and ODS exports: typed cells, and no formula injection, ever."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odf import teletype
from odf.opendocument import load as load_ods
from odf.table import Table, TableCell, TableRow

from saferstat.core.exports import (
    FORMULA_TRIGGERS,
    Sheet,
    export_csv,
    export_ods,
    export_response,
    export_table,
    export_xlsx,
    safe_cell,
    workbook_ods,
    workbook_xlsx,
)

HEADER = ["Area", "=SUM(A1:A9)", "Month", "Crimes", "Rate per 1,000", "Published"]
ROWS = [
    ["Rotherham", "+44 1709 000000", dt.date(2024, 4, 1), 2150, Decimal("8.12"), True],
    ["@SUM(1+1)*cmd|' /C calc'!A0", "-2+3", dt.date(2024, 5, 1), -3, -0.5, False],
    ["Tab\tin the middle", "\tleading tab", None, 0, None, None],
    ["\r=carriage return", 'Plain, with comma and "quotes"', dt.date(2024, 6, 1), 12, 1.25, True],
]


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def read_xlsx(content: bytes) -> dict[str, list[list[openpyxl.cell.Cell]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {ws.title: [list(row) for row in ws.iter_rows()] for ws in workbook.worksheets}


def read_ods(content: bytes) -> dict[str, list[list[tuple[str | None, str | None, str]]]]:
    """Each table's cells as (value type, office:value, shown text)."""
    document = load_ods(io.BytesIO(content))
    tables = {}
    for table in document.spreadsheet.getElementsByType(Table):
        rows = []
        for row in table.getElementsByType(TableRow):
            rows.append(
                [
                    (
                        cell.getAttribute("valuetype"),
                        cell.getAttribute("value"),
                        teletype.extractText(cell),
                    )
                    for cell in row.getElementsByType(TableCell)
                ]
            )
        tables[table.getAttribute("name")] = rows
    return tables


# ------------------------------------------------------------------------- safe_cell


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_text_starting_with_a_trigger_gets_an_apostrophe(trigger):
    assert safe_cell(trigger + "cmd") == "'" + trigger + "cmd"


@pytest.mark.parametrize(
    "value", [-3, -0.5, Decimal("-1.25"), 0, 7, 2.5, True, False, dt.date(2024, 4, 1), None]
)
def test_numbers_dates_and_none_are_left_alone(value):
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)


def test_text_that_looks_like_a_negative_number_is_still_text():
    assert safe_cell("-3") == "'-3"


def test_ordinary_text_is_unchanged():
    assert safe_cell("Rotherham (E08000018)") == "Rotherham (E08000018)"
    assert safe_cell("a=b, c-d") == "a=b, c-d"


def test_characters_xml_cannot_hold_are_removed_before_the_check():
    # Removing the NUL must not leave a bare "=" at the front.
    assert safe_cell("\x00=1+1") == "'=1+1"


def test_infinite_and_missing_floats_become_empty_cells():
    assert safe_cell(float("nan")) is None
    assert safe_cell(float("inf")) is None
    assert safe_cell(Decimal("NaN")) is None


def test_aware_datetimes_become_local_time(settings):
    settings.TIME_ZONE = "Europe/London"
    summer = dt.datetime(2024, 7, 1, 11, 30, tzinfo=dt.UTC)
    assert safe_cell(summer) == dt.datetime(2024, 7, 1, 12, 30)


# --------------------------------------------------------------------------- formats


def test_csv_round_trip():
    rows = read_csv(export_csv(HEADER, ROWS))
    assert rows[0] == ["Area", "'=SUM(A1:A9)", "Month", "Crimes", "Rate per 1,000", "Published"]
    assert rows[1] == ["Rotherham", "'+44 1709 000000", "2024-04-01", "2150", "8.12", "TRUE"]
    assert rows[2] == ["'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3", "2024-05-01", "-3", "-0.5", "FALSE"]
    assert rows[3] == ["Tab\tin the middle", "'\tleading tab", "", "0", "", ""]
    assert rows[4][0] == "'\r=carriage return"
    assert rows[4][1] == 'Plain, with comma and "quotes"'


def test_xlsx_cells_are_typed():
    sheets = read_xlsx(export_xlsx(HEADER, ROWS, sheet_name="Crimes 2024/25"))
    assert list(sheets) == ["Crimes 2024 25"]  # "/" is not allowed in a sheet name
    header, *body = sheets["Crimes 2024 25"]
    assert [c.value for c in header] == [
        "Area",
        "'=SUM(A1:A9)",
        "Month",
        "Crimes",
        "Rate per 1,000",
        "Published",
    ]
    assert all(c.font.bold for c in header)
    first, second, third, fourth = body
    assert [c.value for c in first] == [
        "Rotherham",
        "'+44 1709 000000",
        dt.datetime(2024, 4, 1),
        2150,
        8.12,
        True,
    ]
    assert [c.data_type for c in first] == ["s", "s", "d", "n", "n", "b"]
    assert first[2].is_date
    assert second[3].value == -3 and second[3].data_type == "n"
    assert second[4].value == -0.5 and second[4].data_type == "n"
    assert second[1].value == "'-2+3" and second[1].data_type == "s"
    assert [c.value for c in third][2:] == [None, 0, None, None]
    # XML turns a carriage return into a line feed; the apostrophe is still in front.
    assert fourth[0].value in {"'\r=carriage return", "'\n=carriage return"}


def test_xlsx_never_holds_a_formula():
    sheets = read_xlsx(export_xlsx(HEADER, ROWS))
    assert all(cell.data_type != "f" for rows in sheets.values() for row in rows for cell in row)


def test_ods_cells_are_typed():
    tables = read_ods(export_ods(HEADER, ROWS, sheet_name="Crimes"))
    header, first, second, third, fourth = tables["Crimes"]
    assert [c[2] for c in header] == [
        "Area",
        "'=SUM(A1:A9)",
        "Month",
        "Crimes",
        "Rate per 1,000",
        "Published",
    ]
    assert [c[0] for c in first] == ["string", "string", "date", "float", "float", "boolean"]
    assert first[3][1] == "2150" and first[4][1] == "8.12"
    assert second[3] == ("float", "-3", "-3")
    assert second[1] == ("string", None, "'-2+3")
    assert [c[0] for c in third][2:] == [None, "float", None, None]  # None is an empty cell
    assert third[0] == ("string", None, "Tab\tin the middle")
    assert fourth[0][2] in {"'\r=carriage return", "'\n=carriage return"}


def test_workbooks_hold_several_sheets_with_unique_names():
    sheets = [
        Sheet("Summary", ["a"], [[1]]),
        Sheet("Summary", ["b"], [[2]]),
        Sheet("x" * 40, ["c"], [[3]]),
    ]
    names = ["Summary", "Summary (2)", "x" * 31]
    assert list(read_xlsx(workbook_xlsx(sheets))) == names
    assert list(read_ods(workbook_ods(sheets))) == names


def test_export_table_dispatches_and_refuses_unknown_formats():
    assert export_table("csv", ["a"], [[1]]).decode("utf-8-sig") == "a\r\n1\r\n"
    with pytest.raises(ValueError, match="Unknown export format"):
        export_table("xls", ["a"], [[1]])


def test_export_response_is_a_download():
    response = export_response("xlsx", ["a"], [[1]], filename="crimes 2024-25")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="crimes 2024-25.xlsx"'
    assert read_xlsx(response.content)["Data"][1][0].value == 1


# ------------------------------------------------------------------ property: no formulas

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    # Figures in reports are far from the float limits (where XLSX's text form rounds to inf).
    st.floats(min_value=-1e12, max_value=1e12),
    st.sampled_from([float("nan"), float("inf"), float("-inf")]),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9
    ),
    st.dates(),
    st.text(max_size=20),
    st.sampled_from(FORMULA_TRIGGERS).flatmap(lambda t: st.text(max_size=10).map(lambda s: t + s)),
    st.text(alphabet="\x00\x01\x0b=+-@\t\r ", max_size=6),
)
tables = st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=6)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables)
def test_no_cell_in_any_output_starts_with_a_formula_trigger_unless_a_number(table):
    header, rows = table[0], table[1:]

    written = read_csv(export_csv(header, rows))
    assert len(written) == len(table)
    for original_row, row in zip(table, written, strict=True):
        for original, text in zip(original_row, row, strict=True):
            assert not text.startswith(FORMULA_TRIGGERS) or _is_number(original), (original, text)

    worksheet = openpyxl.load_workbook(io.BytesIO(export_xlsx(header, rows))).active
    assert all(cell.data_type != "f" for row in worksheet.iter_rows() for cell in row)
    for r, original_row in enumerate(table, start=1):
        for c, original in enumerate(original_row, start=1):
            cell = worksheet.cell(row=r, column=c)
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_TRIGGERS), cell.value
            if _is_number(original) and safe_cell(original) is not None:
                assert cell.data_type == "n"
                # XLSX keeps about 16 significant digits.
                assert math.isclose(cell.value, float(original), rel_tol=1e-14)

    for table_rows in read_ods(export_ods(header, rows)).values():
        for original_row, row in zip(table, table_rows, strict=True):
            for original, (value_type, _value, text) in zip(original_row, row, strict=True):
                if value_type == "float":
                    assert _is_number(original)
                else:
                    assert not text.startswith(FORMULA_TRIGGERS), text


@settings(max_examples=200, deadline=None)
@given(value=cells)
def test_safe_cell_keeps_numbers_and_neutralises_all_text(value):
    result = safe_cell(value)
    if isinstance(value, str):
        kept = _NOT_XML.sub("", value)
        assert not result.startswith(FORMULA_TRIGGERS)
        assert result == ("'" + kept if kept.startswith(FORMULA_TRIGGERS) else kept)
    elif _is_number(value):
        assert result == value or (result is None and value != value or abs(value) == float("inf"))
    else:
        assert result == value
