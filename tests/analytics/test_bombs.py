"""Files built to exhaust the loader: refused fast, in little memory, with a clear message.

Each case runs the real reader in a child process and measures that process's peak memory
(``VmHWM`` from /proc) and time. The child also gets an address-space limit (2 GiB) so that
a regression fails here with MemoryError instead of taking the machine's memory: before
these limits existed, the gzip bomb took the worker to 9.7 GB, the blank-line bomb held it
for minutes, and the one-row workbook took 3.6 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The peak memory (resident) the child may reach, imports included (about 130 MB).
PEAK_MB = 512
#: How long the refusal itself may take, in seconds (the files are refused within about one).
SECONDS = 8
#: Address space the child may use: a regression fails with MemoryError, not by swapping.
ADDRESS_SPACE = 2 * 1024**3

CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
{setup}
started = time.perf_counter()
try:
{action}
    outcome = "accepted"
except BaseException as exc:
    outcome = type(exc).__name__ + ": " + str(exc)
seconds = time.perf_counter() - started
status = open("/proc/self/status").read().split("\n")
peak_kb = int(next(l for l in status if l.startswith("VmHWM")).split()[1])
print(json.dumps({{"outcome": outcome, "seconds": seconds, "peak_mb": peak_kb / 1024}}))
"""


def run_child(setup: str, action: str) -> dict:
    code = CHILD.format(
        limit=ADDRESS_SPACE,
        setup=setup,
        action="\n".join("    " + line for line in action.strip().splitlines()),
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def gzip_of_repeats(path: Path, piece: bytes, copies: int) -> int:
    """Write a gzip file that unpacks to ``copies`` times ``piece``; its unpacked size.

    Each piece is compressed once, after a full flush: the compressor starts afresh, so the
    same piece always compresses to the same bytes, which are then written ``copies`` times.
    (The trailer's CRC is not computed, which would take seconds: no reader gets that far.)
    """
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    header_and_first = comp.compress(piece) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(piece) + comp.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    size = len(piece) * copies
    with path.open("wb") as out:
        out.write(header_and_first)
        for _ in range(copies - 1):
            out.write(again)
        out.write(end)
        out.write((0).to_bytes(4, "little") + (size % 2**32).to_bytes(4, "little"))
    return size


def test_a_gzip_bomb_of_4_gib_is_refused_fast_in_little_memory(tmp_path):
    bomb = tmp_path / "2024-01-south-yorkshire-street.csv.gz"
    assert gzip_of_repeats(bomb, b"a" * (1 << 24), 256) == 4 * 1024**3
    assert bomb.stat().st_size < 5 * 1024**2  # a few MB, well under the upload limit
    result = run_child(
        "from saferstat.analytics.policeuk import read_street_file",
        f"read_street_file({str(bomb)!r})",
    )
    assert result["outcome"].startswith("PoliceUkValidationError"), result
    assert (
        f"{bomb.name}: gzip: the file unpacks to more than 100 times its size"
        in (result["outcome"])
    )
    assert result["peak_mb"] < PEAK_MB, result
    assert result["seconds"] < SECONDS, result


def test_a_gzip_bomb_is_refused_by_size_when_the_ratio_is_allowed(tmp_path):
    bomb = tmp_path / "2024-01-south-yorkshire-street.csv.gz"
    gzip_of_repeats(bomb, b"a" * (1 << 24), 256)
    result = run_child(
        "from saferstat.analytics.policeuk import UnpackLimits, read_street_file",
        f"read_street_file({str(bomb)!r}, "
        "limits=UnpackLimits(max_bytes=256 * 1024**2, max_ratio=1e9))",
    )
    assert (
        f"{bomb.name}: gzip: the file unpacks to more than 256 MB, the limit" in (result["outcome"])
    ), result
    assert result["peak_mb"] < PEAK_MB, result
    assert result["seconds"] < SECONDS, result


def test_a_ratio_bomb_of_blank_lines_is_refused(tmp_path):
    """510 KB of gzip holding 512 MB of blank lines: it once held the worker 163 s at 5 GB."""
    bomb = tmp_path / "2024-01-south-yorkshire-street.csv.gz"
    gzip_of_repeats(bomb, b"\n" * (1 << 24), 32)
    assert bomb.stat().st_size < 600 * 1024
    result = run_child(
        "from saferstat.analytics.policeuk import read_street_file",
        f"read_street_file({str(bomb)!r})",
    )
    assert "gzip: the file unpacks to more than 100 times its size" in result["outcome"], result
    assert result["peak_mb"] < PEAK_MB, result
    assert result["seconds"] < SECONDS, result


def test_a_plain_file_of_blank_lines_is_refused_quickly(tmp_path):
    """Not compressed, so no ratio: the blank-line limit stops it (and lines are not listed)."""
    path = tmp_path / "2024-01-south-yorkshire-street.csv"
    path.write_bytes(b"\n" * (64 * 1024**2))
    result = run_child(
        "from saferstat.analytics.policeuk import read_street_file",
        f"read_street_file({str(path)!r})",
    )
    assert (
        f"{path.name}:10001: row: the file has more than 10,000 blank lines" in (result["outcome"])
    ), result
    assert result["peak_mb"] < PEAK_MB, result
    assert result["seconds"] < SECONDS, result


def one_row_workbook(path: Path, cells: int) -> None:
    """An XLSX whose first sheet has one row of ``cells`` cells (about 256 KB zipped)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    pkg = "http://schemas.openxmlformats.org/package/2006"
    doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{pkg}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            "</Types>",
        )
        book.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{doc}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        book.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel_ns}><sheets>'
            '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{doc}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        with book.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>'
                '<row r="1">'.encode()
            )
            block = 100_000
            for done in range(0, cells, block):
                sheet.write(b"<c><v>1</v></c>" * min(block, cells - done))
            sheet.write(b"</row></sheetData></worksheet>")


def test_a_workbook_of_one_row_of_5_million_cells_is_refused_fast(tmp_path):
    path = tmp_path / "wide.xlsx"
    one_row_workbook(path, 5_000_000)
    assert path.stat().st_size < 512 * 1024
    result = run_child(
        "from saferstat.analytics.partner import read_table",
        f"read_table({str(path)!r})",
    )
    assert result["outcome"].startswith("PartnerValidationError"), result
    assert "wide.xlsx: file: row 1 has more than 256 columns" in result["outcome"], result
    assert result["peak_mb"] < PEAK_MB, result
    assert result["seconds"] < SECONDS, result


def test_a_small_workbook_of_the_same_shape_is_still_read(tmp_path):
    """The scan counts, it does not refuse workbooks: 200 cells in a row are fine."""
    from saferstat.analytics.partner import read_table

    path = tmp_path / "narrow.xlsx"
    one_row_workbook(path, 200)
    table = read_table(path)
    assert len(table.header) == 200 and table.rows == []


def test_a_wide_csv_is_refused_before_it_is_read_whole(tmp_path):
    """Lines under the 64 KB line limit but 30,000 columns each: once 1.8 GB for 52 MB."""
    path = tmp_path / "wide.csv"
    line = b",".join([b"1"] * 30_000) + b"\r\n"
    path.write_bytes(line * 800)
    assert path.stat().st_size > 45 * 1024**2
    result = run_child(
        "from saferstat.analytics.partner import read_table",
        f"read_table({str(path)!r})",
    )
    assert "wide.csv: file: line 1 has more than 256 columns" in result["outcome"], result
    assert result["peak_mb"] < PEAK_MB, result
    assert result["seconds"] < SECONDS, result


@pytest.mark.parametrize("cells", [4, 300])
def test_csv_width_limit(tmp_path, cells):
    from saferstat.analytics.partner import PartnerValidationError, read_table

    path = tmp_path / "data.csv"
    path.write_text(",".join(f"c{i}" for i in range(cells)) + "\n" + ",".join("1" * cells) + "\n")
    if cells <= 256:
        assert len(read_table(path).header) == cells
    else:
        with pytest.raises(PartnerValidationError, match="line 1 has more than 256 columns"):
            read_table(path)
