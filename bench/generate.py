"""Write a synthetic national police.uk data set: monthly street files for all 43 forces.

The files look like police.uk's (``YYYY-MM-<force-slug>-street.csv``, optionally ``.gz``, the
12 published columns in order) and have the statistical shape of the real South Yorkshire
files in ``demo_data/police-uk``, measured when the generator starts:

* the crime type mix (14 categories) and, per crime type, the mix of last outcomes
  (anti-social behaviour has a blank Crime ID and no outcome, as in the real files);
* seasonality: each calendar month's share of the year;
* the share of records with no location (blank LSOA, coordinates and "No Location");
* how crime is spread over LSOAs: each LSOA gets a relative rate drawn from the real
  South Yorkshire LSOAs' rates (records per resident, 2024-25 files, against the average),
  so an LSOA's expected records are ``Census 2021 residents x relative rate``.

Every real 2021 LSOA of England and Wales (``demo_data/ons``) is used, with its real code and
name, in the files of the force that polices its local authority (``bench/forces.py``). Rows
are sorted as police.uk sorts them (by LSOA name, then crime type; no-location rows last).
What is synthetic: Crime IDs (random 64-hex), coordinates (a random point per LSOA, jittered;
inside England and Wales' bounding box, not inside the LSOA), street names (drawn from the real
South Yorkshire ones), and the codes: every month uses 2021 LSOA codes (real files used 2011
codes until 2022). LSOA names that contain a comma lose it, so no value needs quoting.

Full size (``--scale 1``) is about 60 million rows over 10 years (6 million a year, close to
police.uk's national street-level volume); ``--scale 0.01`` gives 1%. The output is a
function of the arguments only: the same ``--seed`` writes byte-identical files, and a
force-month does not depend on which other forces or months are generated.

Usage:
    python bench/generate.py --out var/bench/national --scale 0.01 --gzip
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

if __package__ in (None, ""):  # run as a script: make ``bench`` and ``saferstat`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.forces import FORCES, force_of
from saferstat.analytics.policeuk import COLUMNS, CRIME_TYPES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REAL = ROOT / "demo_data" / "police-uk"
DEFAULT_ONS = ROOT / "demo_data" / "ons"

#: Rows at ``--scale 1`` for 10 years.
FULL_ROWS_10_YEARS = 60_000_000
#: South Yorkshire's local authorities (old and new codes) for the per-LSOA rate shape.
SOUTH_YORKSHIRE_LADS = (
    "E08000016",
    "E08000017",
    "E08000018",
    "E08000019",
    "E08000038",
    "E08000039",
)
NO_LOCATION = "No Location"
#: England and Wales, roughly: synthetic coordinates fall inside this box.
LON_RANGE = (-5.5, 1.7)
LAT_RANGE = (50.1, 55.7)


# --- the shape of the real files ---------------------------------------------------------


@dataclass
class Shape:
    """What the generator copies from the real files (see the module docstring)."""

    crime_types: list[str]
    type_share: list[float]
    outcomes: list[str]  # index 0 is the blank outcome
    outcome_share: list[list[float]]  # [crime type][outcome]
    season: list[float]  # 12 factors, January first, mean 1
    no_location_share: float
    relative_rates: list[float]  # one per real South Yorkshire LSOA 2021, mean (pop-weighted) 1
    locations: list[str]
    real_rows: int
    real_files: int


def _read_real(folder: Path) -> tuple[pa.Table, int]:
    files = sorted(folder.glob("*-street.csv*"))
    if not files:
        raise SystemExit(f"{folder}: no police.uk street files to take the shape from")
    tables = []
    for path in files:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(COLUMNS, pa.string()),
                include_columns=[
                    "Month",
                    "LSOA code",
                    "Location",
                    "Crime type",
                    "Last outcome category",
                ],
                strings_can_be_null=True,
            ),
        )
        tables.append(table)
    return pa.concat_tables(tables), len(files)


def measure_shape(real: Path, ons: Path) -> Shape:
    """Measure the shape of the real police.uk files in ``real`` (see :class:`Shape`)."""
    table, n_files = _read_real(real)
    rows = table.num_rows
    type_codes = pc.index_in(table.column("Crime type"), value_set=pa.array(CRIME_TYPES)).to_numpy()
    type_share = np.bincount(type_codes, minlength=len(CRIME_TYPES)) / rows

    outcome_col = pc.fill_null(table.column("Last outcome category"), "")
    outcome_names = [""] + sorted(set(pc.unique(outcome_col).to_pylist()) - {""})
    outcome_codes = pc.index_in(outcome_col, value_set=pa.array(outcome_names)).to_numpy()
    joint = np.zeros((len(CRIME_TYPES), len(outcome_names)))
    np.add.at(joint, (type_codes, outcome_codes), 1)
    outcome_share = joint / np.maximum(joint.sum(axis=1, keepdims=True), 1)

    per_month = {
        row["values"]: row["counts"] for row in pc.value_counts(table.column("Month")).to_pylist()
    }
    mean = sum(per_month.values()) / len(per_month)
    by_calendar: dict[int, list[float]] = {}
    for month, n in per_month.items():
        by_calendar.setdefault(int(month[5:7]), []).append(n / mean)
    season = np.array([np.mean(by_calendar.get(m, [1.0])) for m in range(1, 13)])
    season = season / season.mean()

    lsoa = table.column("LSOA code")
    no_location = lsoa.null_count / rows
    locations = sorted(
        set(pc.unique(pc.filter(table.column("Location"), pc.is_valid(lsoa))).to_pylist())
        - {None, NO_LOCATION}
    )

    # Relative rate per LSOA 2021 of South Yorkshire, from the files coded to 2021 LSOAs.
    lookup = _lsoa_lookup(ons)
    population = _population(ons)
    sy = {code for code, (_name, lad) in lookup.items() if lad in SOUTH_YORKSHIRE_LADS}
    recent = pc.greater_equal(table.column("Month"), "2022-01")
    counted: dict[str, int] = dict.fromkeys(sy, 0)
    for row in pc.value_counts(pc.filter(lsoa, recent).drop_null()).to_pylist():
        if row["values"] in counted:
            counted[row["values"]] = row["counts"]
    pops = np.array([population[c] for c in sorted(counted)], dtype=float)
    counts = np.array([counted[c] for c in sorted(counted)], dtype=float)
    rates = (counts / pops) / (counts.sum() / pops.sum())
    return Shape(
        crime_types=list(CRIME_TYPES),
        type_share=type_share.tolist(),
        outcomes=outcome_names,
        outcome_share=outcome_share.tolist(),
        season=season.tolist(),
        no_location_share=float(no_location),
        relative_rates=rates.tolist(),
        locations=locations,
        real_rows=rows,
        real_files=n_files,
    )


# --- geography -----------------------------------------------------------------------------


def _csv_rows(path: Path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def _find(folder: Path, needle: str) -> Path:
    for path in sorted(folder.glob("*.csv")):
        with open(path, encoding="utf-8-sig") as handle:
            if needle in handle.readline():
                return path
    raise SystemExit(f"{folder}: no CSV file with a {needle} column")


def _lsoa_lookup(ons: Path) -> dict[str, tuple[str, str]]:
    """LSOA 2021 code -> (name, LAD 2024 code)."""
    path = _find(ons, "WD24CD")
    return {r["LSOA21CD"]: (r["LSOA21NM"], r["LAD24CD"]) for r in _csv_rows(path)}


def _population(ons: Path) -> dict[str, int]:
    """Census 2021 usual residents by LSOA 2021 (the Nomis export; footer lines skipped)."""
    path = _find(ons, "2021 super output area")
    out = {}
    for r in _csv_rows(path):
        code, value = (r.get("LSOA21CD") or "").strip(), (r.get("2021") or "").strip()
        if code[:3] in ("E01", "W01") and value.isdigit():
            out[code] = int(value)
    return out


@dataclass
class Geography:
    """Every LSOA 2021 of England and Wales with its force and expected share of records."""

    codes: np.ndarray  # str, sorted by force, then LSOA name
    names: np.ndarray  # str
    force: np.ndarray  # int, index into FORCE_SLUGS
    weight: np.ndarray  # residents x relative rate
    lon: np.ndarray
    lat: np.ndarray


FORCE_SLUGS = tuple(sorted(FORCES))


def lad_forces(ons: Path) -> dict[str, str]:
    """LAD code -> force slug, for every LAD of the LSOA 2021 lookup.

    Raises:
        SystemExit: a LAD has no force (the table in ``bench/forces.py`` needs a line).
    """
    las = {r["LADCD"]: r for r in _csv_rows(_find(ons, "LADCD_ACTIVE"))}
    out: dict[str, str] = {}
    missing = []
    for _code, (_name, lad) in _lsoa_lookup(ons).items():
        if lad in out:
            continue
        row = las.get(lad)
        slug = force_of(row["UTLANM"], row["RGNNM"]) if row else None
        if slug is None:
            missing.append(lad)
        else:
            out[lad] = slug
    if missing:
        raise SystemExit(f"no police force for local authorities {sorted(set(missing))}")
    return out


def build_geography(ons: Path, shape: Shape, seed: int) -> Geography:
    lookup = _lsoa_lookup(ons)
    population = _population(ons)
    forces = lad_forces(ons)
    slug_index = {s: i for i, s in enumerate(FORCE_SLUGS)}
    items = sorted(
        ((slug_index[forces[lad]], name, code) for code, (name, lad) in lookup.items()),
    )
    rng = np.random.default_rng([seed, 0xC0DE])
    n = len(items)
    rates = rng.choice(np.asarray(shape.relative_rates), size=n)
    pops = np.array([population[code] for _f, _n, code in items], dtype=float)
    return Geography(
        codes=np.array([code for _f, _n, code in items]),
        names=np.array([name.replace(",", "") for _f, name, _c in items]),
        force=np.array([f for f, _n, _c in items], dtype=np.int64),
        weight=pops * rates,
        lon=np.round(rng.uniform(*LON_RANGE, size=n), 4),
        lat=np.round(rng.uniform(*LAT_RANGE, size=n), 4),
    )


# --- writing ---------------------------------------------------------------------------------


def months_back(end: str, count: int) -> list[str]:
    """The ``count`` months ending with ``end`` (``YYYY-MM``), oldest first."""
    y, m = int(end[:4]), int(end[5:7])
    out = []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


HEADER = (",".join(COLUMNS) + "\n").encode()


_ARRAYS: dict[tuple[int, int], dict] = {}


def _arrays(geo: Geography, shape: Shape) -> dict:
    """Arrow arrays and per-force indexes built once per process (not once per file)."""
    key = (id(geo), id(shape))
    if key not in _ARRAYS:
        _ARRAYS.clear()
        _ARRAYS[key] = {
            "codes": pa.array(geo.codes, pa.string()),
            "names": pa.array(geo.names, pa.string()),
            "locations": pa.array(shape.locations, pa.string()),
            "types": pa.array(shape.crime_types, pa.string()),
            "outcomes": pa.array(shape.outcomes, pa.string()),
            "cumulative": np.cumsum(np.asarray(shape.outcome_share), axis=1),
            "type_share": np.asarray(shape.type_share),
            "forces": {},
        }
    arrays = _ARRAYS[key]
    return arrays


def _force_lsoas(geo: Geography, arrays: dict, force: int) -> tuple[np.ndarray, np.ndarray]:
    if force not in arrays["forces"]:
        mine = np.flatnonzero(geo.force == force)
        arrays["forces"][force] = (mine, geo.weight[mine] / geo.weight[mine].sum())
    return arrays["forces"][force]


def force_month_table(
    geo: Geography, shape: Shape, force: int, month: str, mean_rows: float, seed: int
) -> pa.Table:
    """One force-month as a table of the 12 police.uk columns (all strings but coordinates)."""
    month_index = int(month[:4]) * 12 + int(month[5:7]) - 1
    rng = np.random.default_rng([seed, force, month_index])
    n = max(1, int(rng.poisson(mean_rows)))
    arrays = _arrays(geo, shape)
    mine, p = _force_lsoas(geo, arrays, force)
    types = rng.choice(len(shape.crime_types), size=n, p=arrays["type_share"])
    lsoa_pos = rng.choice(len(mine), size=n, p=p)  # position in the force's sorted LSOAs
    located = rng.random(n) >= shape.no_location_share
    cumulative = arrays["cumulative"]
    outcome = (rng.random(n)[:, None] > cumulative[types]).sum(axis=1)
    outcome = np.minimum(outcome, cumulative.shape[1] - 1)
    street = rng.integers(0, len(shape.locations), size=n)
    jitter = rng.uniform(-0.005, 0.005, size=(n, 2))
    id_bytes = rng.bytes(32 * n)

    # police.uk order: by LSOA (name), then crime type; rows with no location last.
    order = np.lexsort((types, np.where(located, lsoa_pos, len(mine))))
    types, lsoa_pos, located, outcome, street, jitter = (
        types[order],
        lsoa_pos[order],
        located[order],
        outcome[order],
        street[order],
        jitter[order],
    )
    lsoa = mine[lsoa_pos]

    is_asb = types == shape.crime_types.index("Anti-social behaviour")
    hex_ids = id_bytes.hex().encode()
    offsets = pa.py_buffer(np.arange(0, 64 * n + 1, 64, dtype=np.int32).tobytes())
    ids = pa.StringArray.from_buffers(n, offsets, pa.py_buffer(hex_ids))
    ids = pc.if_else(pa.array(is_asb), pa.scalar(None, pa.string()), ids)
    name = FORCES[FORCE_SLUGS[force]][0]
    missing = ~located

    def take(values: str, index: np.ndarray, mask=None) -> pa.Array:
        return pc.take(arrays[values], pa.array(index, mask=mask))

    lon = np.round(geo.lon[lsoa] + jitter[:, 0], 6)
    lat = np.round(geo.lat[lsoa] + jitter[:, 1], 6)
    outcomes = take("outcomes", outcome, mask=outcome == 0)
    return pa.table(
        {
            "Crime ID": ids,
            "Month": pa.array(np.full(n, month)),
            "Reported by": pa.array(np.full(n, name)),
            "Falls within": pa.array(np.full(n, name)),
            "Longitude": pa.array(lon, mask=missing),
            "Latitude": pa.array(lat, mask=missing),
            "Location": pc.if_else(
                pa.array(located), take("locations", street), pa.scalar(NO_LOCATION)
            ),
            "LSOA code": take("codes", lsoa, mask=missing),
            "LSOA name": take("names", lsoa, mask=missing),
            "Crime type": take("types", types),
            "Last outcome category": outcomes,
            "Context": pa.nulls(n, pa.string()),
        }
    )


def encode(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    sink.write(HEADER)
    pacsv.write_csv(
        table,
        sink,
        pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=65536),
    )
    return sink.getvalue().to_pybytes()


# Worker state (set once per process by _init).
_STATE: dict = {}


def _init(geo: Geography, shape: Shape, out: str, seed: int, gzip_level: int | None) -> None:
    _STATE.update(geo=geo, shape=shape, out=Path(out), seed=seed, gzip_level=gzip_level)


def _write_one(job: tuple[int, str, float]) -> tuple[str, int, int]:
    force, month, mean_rows = job
    s = _STATE
    table = force_month_table(s["geo"], s["shape"], force, month, mean_rows, s["seed"])
    data = encode(table)
    name = f"{month}-{FORCE_SLUGS[force]}-street.csv"
    if s["gzip_level"] is not None:
        data = gzip.compress(data, compresslevel=s["gzip_level"], mtime=0)
        name += ".gz"
    path = s["out"] / name
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return name, table.num_rows, len(data)


def generate(
    out: Path,
    *,
    scale: float = 1.0,
    years: int = 10,
    end: str = "2025-09",
    seed: int = 1,
    gzip_level: int | None = 6,
    forces: list[str] | None = None,
    workers: int | None = None,
    real: Path = DEFAULT_REAL,
    ons: Path = DEFAULT_ONS,
    progress=None,
) -> dict:
    """Write the files into ``out``; returns (and writes to ``out/generate.json``) a summary."""
    started = time.perf_counter()
    shape = measure_shape(real, ons)
    geo = build_geography(ons, shape, seed)
    months = months_back(end, years * 12)
    total = FULL_ROWS_10_YEARS * scale * years / 10
    per_force = np.bincount(geo.force, weights=geo.weight, minlength=len(FORCE_SLUGS))
    per_force = per_force / per_force.sum()
    season = np.asarray(shape.season)
    month_weight = np.array([season[int(m[5:7]) - 1] for m in months])
    month_weight = month_weight / month_weight.sum()
    wanted = set(forces) if forces else set(FORCE_SLUGS)
    unknown = wanted - set(FORCE_SLUGS)
    if unknown:
        raise SystemExit(f"unknown forces: {sorted(unknown)}")
    jobs = [
        (f, m, total * per_force[f] * month_weight[i])
        for f, slug in enumerate(FORCE_SLUGS)
        if slug in wanted
        for i, m in enumerate(months)
    ]
    jobs.sort(key=lambda j: -j[2])  # biggest first: better packing over the workers
    out.mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    files: dict[str, int] = {}
    written = 0
    args = (geo, shape, str(out), seed, gzip_level)
    if workers == 1:
        _init(*args)
        results = map(_write_one, jobs)
        pool = None
    else:
        pool = ProcessPoolExecutor(workers, initializer=_init, initargs=args)
        results = pool.map(_write_one, jobs, chunksize=4)
    try:
        for name, rows, size in results:
            files[name] = rows
            written += size
            if progress:
                progress(len(files), len(jobs))
    finally:
        if pool:
            pool.shutdown()
    summary = {
        "scale": scale,
        "years": years,
        "end": end,
        "seed": seed,
        "gzip_level": gzip_level,
        "forces": sorted(wanted),
        "months": [months[0], months[-1]],
        "files": len(files),
        "rows": sum(files.values()),
        "bytes": written,
        "seconds": round(time.perf_counter() - started, 2),
        "shape": {
            k: v for k, v in asdict(shape).items() if k not in ("locations", "relative_rates")
        },
        "rows_per_file": dict(sorted(files.items())),
    }
    (out / "generate.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = ~60M rows over 10 years")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--end", default="2025-09", help="last month (YYYY-MM)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gzip", action="store_true", help="write .csv.gz (gzip level 6)")
    parser.add_argument("--gzip-level", type=int, default=6)
    parser.add_argument("--forces", help="comma-separated force slugs (default: all 43)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: CPUs)")
    parser.add_argument("--real", type=Path, default=DEFAULT_REAL)
    parser.add_argument("--ons", type=Path, default=DEFAULT_ONS)
    args = parser.parse_args(argv)

    def progress(done: int, total: int) -> None:
        if done % 200 == 0 or done == total:
            print(f"\r{done:,}/{total:,} files", end="", file=sys.stderr, flush=True)

    summary = generate(
        args.out,
        scale=args.scale,
        years=args.years,
        end=args.end,
        seed=args.seed,
        gzip_level=args.gzip_level if args.gzip else None,
        forces=args.forces.split(",") if args.forces else None,
        workers=args.workers,
        real=args.real,
        ons=args.ons,
        progress=progress,
    )
    print(
        f"\n{summary['files']:,} files, {summary['rows']:,} rows, {summary['bytes'] / 1e6:,.0f} MB "
        f"in {summary['seconds']:.1f} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
