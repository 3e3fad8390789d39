"""ONS reference data (saferstat.analytics.reference): lookups, population, area codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from saferstat.analytics.reference import (
    ReferenceDataError,
    UnknownAreaError,
    area_codes,
    build_reference_tables,
    find_sources,
    load_reference,
)
from saferstat.analytics.warehouse import connect, read_manifest

REPO = Path(__file__).resolve().parents[2]
ONS = REPO / "demo_data" / "ons"
WARD24 = "LSOA21_WD24_LAD24_EW_LU.csv"
L1121 = (
    "LSOA_(2011)_to_LSOA_(2021)_to_Local_Authority_District_(2022)_Lookup_for_England_and_Wales.csv"
)
POPULATION = "census2021_usual_residents_by_lsoa21.csv"
LA_CODES = "la_all_codes.csv"

ROTHERHAM, BARNSLEY, DONCASTER, SHEFFIELD = "E08000018", "E08000016", "E08000017", "E08000019"


@pytest.fixture(scope="module")
def con(small_warehouse_con):
    return small_warehouse_con


def la_figures(con, code: str) -> tuple[int, int, int]:
    """(LSOAs 2021, wards, residents) of a local authority, by any of its codes."""
    codes = area_codes(con, code)
    return con.execute(
        """
        SELECT count(*), count(DISTINCT l.ward_code), sum(p.population)
        FROM lsoa_lookup l JOIN lsoa21_population p ON p.lsoa21_code = l.lsoa_code
        WHERE l.lsoa_vintage = 2021 AND l.lad_code IN (SELECT unnest(?))
        """,
        [codes],
    ).fetchone()


# --- the South Yorkshire figures -------------------------------------------------------


def test_rotherham_has_170_lsoas_25_wards_and_265791_residents(con):
    assert la_figures(con, ROTHERHAM) == (170, 25, 265_791)


@pytest.mark.parametrize(
    ("code", "residents"),
    [
        (BARNSLEY, 244_568),
        ("E08000038", 244_568),
        (DONCASTER, 308_100),
        (SHEFFIELD, 556_519),
        ("E08000039", 556_519),
    ],
)
def test_neighbour_populations_by_old_and_new_codes(con, code, residents):
    assert la_figures(con, code)[2] == residents


def test_every_lsoa_has_a_population_and_the_footer_is_skipped(con):
    assert con.execute("SELECT count(*), min(population) FROM lsoa21_population").fetchone() == (
        35_672,
        con.execute("SELECT min(population) FROM lsoa21_population").fetchone()[0],
    )
    (missing,) = con.execute(
        "SELECT count(*) FROM lsoa_lookup l LEFT JOIN lsoa21_population p "
        "ON p.lsoa21_code = l.lsoa_code WHERE l.lsoa_vintage = 2021 AND p.lsoa21_code IS NULL"
    ).fetchone()
    assert missing == 0
    assert con.execute(
        "SELECT population, lsoa21_name FROM lsoa21_population WHERE lsoa21_code = 'E01011954'"
    ).fetchone() == (2_284, "Hartlepool 001A")


# --- area codes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (ROTHERHAM, [ROTHERHAM]),
        (DONCASTER, [DONCASTER]),
        (BARNSLEY, [BARNSLEY, "E08000038"]),
        ("E08000038", [BARNSLEY, "E08000038"]),
        (SHEFFIELD, [SHEFFIELD, "E08000039"]),
        ("e08000039 ", [SHEFFIELD, "E08000039"]),
    ],
)
def test_area_codes_give_every_code_of_the_authority(con, code, expected):
    assert area_codes(con, code) == expected


def test_area_codes_from_the_warehouse_folder(small_warehouse):
    assert area_codes(small_warehouse, "E08000038") == [BARNSLEY, "E08000038"]
    assert area_codes(str(small_warehouse), ROTHERHAM) == [ROTHERHAM]


@pytest.mark.parametrize("code", ["E08000099", "E05013009", "Rotherham", ""])
def test_unknown_area_code_is_a_clear_error(con, code):
    with pytest.raises(UnknownAreaError, match="unknown local authority code"):
        area_codes(con, code)


def test_area_codes_without_reference_data(tmp_path):
    with pytest.raises(UnknownAreaError, match="no reference data is loaded"):
        area_codes(tmp_path / "empty", ROTHERHAM)


def test_every_lad_code_of_the_lookups_is_known(con):
    (unknown,) = con.execute(
        "SELECT count(DISTINCT lad_code) FROM lsoa_lookup "
        "WHERE lad_code NOT IN (SELECT lad_code FROM la_codes)"
    ).fetchone()
    assert unknown == 0


# --- LSOA 2011 -> 2021 -> ward ---------------------------------------------------------


def test_every_rotherham_2011_lsoa_maps_to_a_current_rotherham_ward(con):
    rows = con.execute(
        "SELECT lsoa_code, lad_code, ward_code, change_indicator FROM lsoa_lookup "
        "WHERE lsoa_vintage = 2011 AND lsoa_name LIKE 'Rotherham %'"
    ).fetchall()
    assert len(rows) == 167
    assert {r[1] for r in rows} == {ROTHERHAM} and all(r[2] for r in rows)
    assert len({r[2] for r in rows}) == 25
    indicators = [r[3] for r in rows]
    assert (indicators.count("U"), indicators.count("S"), indicators.count("M")) == (162, 3, 2)


def test_a_split_goes_to_the_most_populous_part(con):
    # Rotherham 001A became E01034246 (1,751, Hoober) and E01034247 (2,154, Wath)
    row = con.execute(
        "SELECT lsoa21_code, ward_name, change_indicator, lsoa21_candidates, is_ward_approximate "
        "FROM lsoa_lookup WHERE lsoa_code = 'E01007693' AND lsoa_vintage = 2011"
    ).fetchone()
    assert row == ("E01034247", "Wath", "S", 2, True)


def test_a_merge_maps_both_parts_to_the_merged_lsoa(con):
    rows = con.execute(
        "SELECT lsoa_code, lsoa21_code, ward_name, change_indicator FROM lsoa_lookup "
        "WHERE lsoa_code IN ('E01007813', 'E01007814') AND lsoa_vintage = 2011 ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("E01007813", "E01034253", "Sitwell", "M"),
        ("E01007814", "E01034253", "Sitwell", "M"),
    ]


def test_south_yorkshire_splits_and_which_cross_a_ward_boundary(con):
    """As documented in docs/warehouse.md: 10 splits, 3 of them across wards."""
    rows = con.execute(
        "SELECT lsoa_code, lsoa21_candidates, is_ward_approximate, ward_name FROM lsoa_lookup "
        "WHERE lsoa_vintage = 2011 AND lsoa21_candidates > 1 "
        "AND lad_code IN ('E08000016', 'E08000017', 'E08000018', 'E08000019') ORDER BY 1"
    ).fetchall()
    assert len(rows) == 10
    assert [(r[0], r[3]) for r in rows if r[2]] == [
        ("E01007665", "Rother Vale"),
        ("E01007693", "Wath"),
        ("E01032550", "St Helens"),
    ]
    # and the check behind the flag, from the raw ONS rows
    parts = con.execute(
        "SELECT s.lsoa11_code, count(DISTINCT l.ward_code) FROM lsoa11_lsoa21 s "
        "JOIN lsoa_lookup l ON l.lsoa_code = s.lsoa21_code AND l.lsoa_vintage = 2021 "
        "WHERE s.lsoa11_code IN (SELECT unnest(?)) GROUP BY 1",
        [[r[0] for r in rows]],
    ).fetchall()
    assert {code for code, wards in parts if wards > 1} == {"E01007665", "E01007693", "E01032550"}


def test_unchanged_codes_mean_the_same_area_in_both_vintages(con):
    (differs,) = con.execute(
        "SELECT count(*) FROM lsoa_lookup a JOIN lsoa_lookup b USING (lsoa_code) "
        "WHERE a.lsoa_vintage = 2011 AND b.lsoa_vintage = 2021 AND a.lsoa21_code <> b.lsoa21_code"
    ).fetchone()
    assert differs == 0


def test_old_wards_2019_are_kept(con):
    (wards,) = con.execute(
        "SELECT count(DISTINCT ward19_code) FROM lsoa11_ward19 WHERE lad19_code = ?", [ROTHERHAM]
    ).fetchone()
    assert wards == 21


def test_imd_ranks(con):
    rank, lad = con.execute(
        "SELECT imd19_rank, lad19_code FROM lsoa11_imd2019 WHERE lsoa11_code = 'E01000001'"
    ).fetchone()
    assert (rank, lad) == (29_199, "E09000001")


# --- reading the folder ----------------------------------------------------------------


def copy_ons(tmp_path: Path) -> Path:
    folder = tmp_path / "ons"
    shutil.copytree(ONS, folder)
    return folder


def test_files_are_recognised_by_their_columns_not_their_names(tmp_path):
    folder = copy_ons(tmp_path)
    (folder / WARD24).rename(folder / "whatever.csv")
    found = find_sources(folder)
    assert found["ward24"].name == "whatever.csv"
    assert found["lsoa11_lsoa21"].name == L1121


def test_a_byte_order_mark_makes_no_difference(tmp_path):
    folder = copy_ons(tmp_path)
    plain = folder / WARD24
    plain.write_bytes(plain.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    codes = folder / LA_CODES
    codes.write_bytes(b"\xef\xbb\xbf" + codes.read_bytes())
    built = build_reference_tables(folder)
    original = build_reference_tables(ONS)
    for name, table in original.tables.items():
        assert built.tables[name].equals(table), name


def test_a_missing_file_is_named(tmp_path):
    folder = copy_ons(tmp_path)
    (folder / POPULATION).unlink()
    with pytest.raises(ReferenceDataError, match="Census 2021 usual residents"):
        build_reference_tables(folder)


def test_two_files_for_one_table_are_refused(tmp_path):
    folder = copy_ons(tmp_path)
    shutil.copy(folder / LA_CODES, folder / "la_all_codes_copy.csv")
    with pytest.raises(ReferenceDataError, match="several files match"):
        build_reference_tables(folder)


def test_bad_rows_are_refused_with_file_line_and_column(tmp_path):
    folder = copy_ons(tmp_path)
    path = folder / L1121
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[10] = lines[10].replace(",U,", ",Q,", 1)
    lines[20] = "E0101194," + lines[20].split(",", 1)[1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    with pytest.raises(ReferenceDataError) as info:
        build_reference_tables(folder)
    assert [str(e) for e in info.value.errors] == [
        f"{L1121}:21: LSOA11CD: 'E0101194' is not an LSOA 2011 code",
        f"{L1121}:11: CHGIND: 'Q' is not a change indicator (U, S, M or X)",
    ]


def test_a_repeated_lsoa_is_refused(tmp_path):
    folder = copy_ons(tmp_path)
    path = folder / WARD24
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([*lines, lines[5]]) + "\n", encoding="utf-8-sig")
    with pytest.raises(ReferenceDataError) as info:
        build_reference_tables(folder)
    (issue,) = info.value.errors
    assert (issue.file, issue.line, issue.field) == (WARD24, len(lines) + 1, "LSOA21CD")
    assert "appears twice" in issue.reason


def test_a_population_row_after_the_footer_is_refused(tmp_path):
    folder = copy_ons(tmp_path)
    path = folder / POPULATION
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\r\nSomewhere 001A,E01099999,1000\r\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError) as info:
        build_reference_tables(folder)
    assert info.value.errors[0].field == "LSOA21CD"
    assert "after the footer began on line" in info.value.errors[0].reason


def test_a_bad_population_count_is_refused(tmp_path):
    folder = copy_ons(tmp_path)
    path = folder / POPULATION
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("E01011969,1344", "E01011969,13A4"), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as info:
        build_reference_tables(folder)
    (issue,) = info.value.errors
    assert (issue.line, issue.field) == (3, "2021") and "'13A4'" in issue.reason


def test_ties_between_split_parts_go_to_the_lowest_code(tmp_path):
    folder = copy_ons(tmp_path)
    path = folder / POPULATION
    text = path.read_text(encoding="utf-8")
    # Rotherham 001A's parts: make both 2,000 residents
    text = text.replace("E01034246,1751", "E01034246,2000").replace(
        "E01034247,2154", "E01034247,2000"
    )
    path.write_text(text, encoding="utf-8")
    lookup = build_reference_tables(folder).tables["lsoa_lookup"].to_pylist()
    (row,) = [r for r in lookup if r["lsoa_code"] == "E01007693" and r["lsoa_vintage"] == 2011]
    assert (row["lsoa21_code"], row["ward_name"]) == ("E01034246", "Hoober")


def test_load_reference_publishes_every_table_at_once(tmp_path):
    root = tmp_path / "wh"
    result = load_reference(root, ONS)
    assert result.tables["lsoa_lookup"] == 70_425 and result.tables["la_codes"] == 415
    manifest = read_manifest(root)
    assert manifest["generation"] == 1
    entry = manifest["reference"]["lsoa21_population"]
    assert entry["row_count"] == 35_672
    assert entry["sources"]["population"]["name"] == POPULATION
    # loading again replaces, with a new version of every table
    load_reference(root, ONS)
    again = read_manifest(root)
    assert again["generation"] == 2
    assert all(
        again["reference"][n]["version"] != manifest["reference"][n]["version"]
        for n in manifest["reference"]
    )
    with connect(root) as con:
        assert con.execute("SELECT count(*) FROM la_codes").fetchone() == (415,)


def test_a_row_with_the_wrong_number_of_fields_is_refused(tmp_path):
    folder = copy_ons(tmp_path)
    path = folder / LA_CODES
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[7] += ",extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError) as info:
        build_reference_tables(folder)
    (issue,) = info.value.errors
    assert str(issue) == f"{LA_CODES}:8: row: has 22 fields; the header has 21"
