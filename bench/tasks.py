"""The work ``bench/run.py`` times, one task per child process (so each has its own peak memory).

Each task prints one JSON object on stdout. Run one by hand to see it:

    python bench/tasks.py pandas-ingest --files FILELIST --out /tmp/agg.parquet
    python bench/tasks.py query --warehouse var/bench/warehouse --which overview --repeat 20
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: The partnership the query benchmarks ask about (Rotherham, South Yorkshire Police).
AREA = "E08000018"
FORCE = "south-yorkshire"
PERIOD = "2024/25"
GROUP_KEYS = ["Month", "LSOA code", "Crime type"]


def _files(list_path: str) -> list[str]:
    return [line for line in Path(list_path).read_text().splitlines() if line]


# --- ingest baselines --------------------------------------------------------------------------


def pandas_ingest(args) -> dict:
    """The straightforward pandas script: read every file, count per month, LSOA and type.

    ``--per-file`` counts each file as it is read (memory bounded; used past 8M rows, where
    holding every row takes more memory than a 24 GB machine has to spare).
    """
    import pandas as pd

    # dtype for Crime ID: without it pandas 2.3's C parser tries each 64-hex ID as a float and
    # crashes (SIGSEGV) on an ID such as "6818e2966989435f..." (digits, "e", ten+ digits).
    if args.per_file:  # bounded memory: count each file, then add the counts up
        parts, rows = [], 0
        for f in _files(args.files):
            frame = pd.read_csv(f, dtype={"Crime ID": str})
            rows += len(frame)
            parts.append(frame.groupby(GROUP_KEYS, dropna=False).size())
        series = pd.concat(parts).groupby(level=[0, 1, 2], dropna=False).sum()
        counts = series.reset_index(name="count")
        counts.to_parquet(args.out, index=False)
        return {"rows": rows, "groups": int(len(counts))}
    frames = [pd.read_csv(f, dtype={"Crime ID": str}) for f in _files(args.files)]
    data = pd.concat(frames, ignore_index=True)
    counts = data.groupby(GROUP_KEYS, dropna=False).size().reset_index(name="count")
    counts.to_parquet(args.out, index=False)
    return {"rows": int(len(data)), "groups": int(len(counts))}


def duckdb_scan(args) -> dict:
    """DuckDB's own CSV scan of the same files, writing the same aggregate (the floor)."""
    import duckdb

    from saferstat.analytics.policeuk import COLUMNS

    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in COLUMNS) + "}"
    con.execute(
        f"""
        CREATE TABLE agg AS
        SELECT "Month", "LSOA code", "Crime type", count(*) AS count
        FROM read_csv(?, header = true, auto_detect = false, delim = ',', quote = '"',
                      columns = {columns})
        GROUP BY ALL
        """,
        [_files(args.files)],
    )
    con.execute(f"COPY agg TO '{args.out}' (FORMAT parquet)")
    rows, groups = con.execute("SELECT sum(count), count(*) FROM agg").fetchone()
    return {"rows": int(rows), "groups": int(groups)}


def reader(args) -> dict:
    """SaferStat's validating reader alone (no Parquet), one file after another."""
    from saferstat.analytics.policeuk import read_street_file

    rows = 0
    for f in _files(args.files):
        rows += read_street_file(f).rows
    return {"rows": rows}


# --- queries ----------------------------------------------------------------------------------


def _query(which: str):
    from saferstat.analytics import measures
    from saferstat.analytics.periods import parse_period

    period = parse_period(PERIOD)
    if which == "overview":

        def run(con):
            o = measures.overview(con, area_codes=[AREA], period=period, force_slugs=[FORCE])
            return {t.crime_type: t.count for t in o.crime_types}

    elif which == "hotspots":
        from saferstat.analytics.hotspots import hotspots

        def run(con):
            h = hotspots(con, area_codes=[AREA], period=period, level="ward", force_slugs=[FORCE])
            return {r.code: r.count for r in h.rows}

    elif which == "compare":
        from saferstat.analytics.compare import compare_areas

        def run(con):
            c = compare_areas(con, area_code=AREA, period=period, force_slugs=[FORCE])
            return {a.code: a.count for a in c.areas}

    else:
        raise SystemExit(f"unknown query {which!r}")
    return run


def query(args) -> dict:
    """SaferStat: ``--repeat`` calls, each on a new connection (as a web request opens one).

    ``--scoped``: the connection holds only the partnership's force's files
    (``connect(root, force_slugs=[force])``); otherwise every force's (as the web opens it).
    """
    started = time.perf_counter()
    from saferstat.analytics.warehouse import connect

    run = _query(args.which)
    imported = time.perf_counter()
    times, connects, answer = [], [], None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        con = connect(args.warehouse, force_slugs=[FORCE] if args.scoped else None)
        t1 = time.perf_counter()
        answer = run(con)
        con.close()
        t2 = time.perf_counter()
        times.append(t2 - t0)
        connects.append(t1 - t0)
    return {
        "times": times,
        "connect": statistics.median(connects),
        "import": imported - started,
        "answer": answer,
    }


def _pandas_frames(root: Path, months: list[str], forces: list[str] | None):
    import pandas as pd

    from saferstat.analytics.warehouse import read_manifest

    manifest = read_manifest(root)
    files = [
        root / e["path"]
        for e in manifest["partitions"].values()
        if e["dataset"] == "policeuk_street"
        and e["month"] in months
        and (forces is None or e["force_slug"] in forces)
    ]
    frames = []
    for f in files:
        frame = pd.read_parquet(f, columns=["lsoa_code", "crime_type"])
        frame["month"] = f.parent.name.split("=", 1)[1]
        frames.append(frame)
    street = pd.concat(frames, ignore_index=True)
    ref = {
        name: pd.read_parquet(root / manifest["reference"][name]["path"])
        for name in ("lsoa_by_code", "lsoa21_population", "la_codes", "lsoa_lookup")
    }
    street = street.merge(
        ref["lsoa_by_code"][["lsoa_code", "lsoa21_code", "ward_code", "lad_code"]],
        on="lsoa_code",
        how="left",
    )
    return street, ref


def pandas_query(args) -> dict:
    """The same figures with pandas over the warehouse's Parquet files (the force's months).

    Cold = read the files and the lookups, then compute; warm = compute on the frames in memory.
    """
    import pandas as pd

    from saferstat.analytics.periods import parse_period

    period = parse_period(PERIOD)
    comparison = period.previous()
    root = Path(args.warehouse)
    t0 = time.perf_counter()
    street, ref = _pandas_frames(root, list(comparison.months) + list(period.months), [FORCE])
    loaded = time.perf_counter()
    la = ref["la_codes"]

    def codes_of(code: str) -> list[str]:
        active = la.loc[la.lad_code == code, "active_code"]
        return sorted(set(la.loc[la.active_code.isin(active), "lad_code"]) | {code})

    lookup21 = ref["lsoa_lookup"][ref["lsoa_lookup"].lsoa_vintage == 2021]
    pop = ref["lsoa21_population"]

    def population(codes):
        lsoas = lookup21.loc[lookup21.lad_code.isin(codes), "lsoa21_code"]
        return int(pop.loc[pop.lsoa21_code.isin(lsoas), "population"].sum())

    def in_period(frame, p):
        return frame[(frame.month >= p.start) & (frame.month <= p.end)]

    def overview():
        codes = codes_of(AREA)
        mine = street[street.lad_code.isin(codes)]
        now, before = in_period(mine, period), in_period(mine, comparison)
        by_type = now.groupby("crime_type").size()
        before.groupby("crime_type").size()
        now.groupby("month").size()
        wards = now.groupby("ward_code").size()
        ward_pop = (
            lookup21[lookup21.lad_code.isin(codes)]
            .merge(pop, on="lsoa21_code")
            .groupby("ward_code")
            .population.sum()
        )
        (wards / ward_pop * 1000).fillna(0)
        population(codes)
        return {k: int(v) for k, v in by_type.items()}

    def hotspots():
        codes = codes_of(AREA)
        now = in_period(street[street.lad_code.isin(codes)], period)
        table = now.groupby(["ward_code", "crime_type"]).size().unstack(fill_value=0)
        ward_pop = (
            lookup21[lookup21.lad_code.isin(codes)]
            .merge(pop, on="lsoa21_code")
            .groupby("ward_code")
            .population.sum()
        )
        counts = table.sum(axis=1).reindex(ward_pop.index, fill_value=0)
        rate = counts / ward_pop * 1000
        return {k: int(v) for k, v in counts.sort_values(ascending=False).items()} | {
            "_rate_max": float(rate.max())
        }

    def compare():
        from saferstat.analytics.compare import NEIGHBOUR_GROUPS

        group = next(g for g in NEIGHBOUR_GROUPS.values() if AREA in g)
        now = in_period(street, period)
        out = {}
        for code in group:
            codes = codes_of(code)
            active = la.loc[la.lad_code.isin(codes), "active_code"].min()
            out[active] = (int(now.lad_code.isin(codes).sum()), population(codes))
        return {k: v[0] for k, v in out.items()}

    run = {"overview": overview, "hotspots": hotspots, "compare": compare}[args.which]
    first = run()
    cold = time.perf_counter() - t0
    times = []
    for _ in range(args.repeat):
        t1 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t1)
    return {
        "cold": cold,
        "load": loaded - t0,
        "times": times,
        "rows": int(len(street)),
        "answer": first,
        "pandas": pd.__version__,
    }


# --- the annual report -------------------------------------------------------------------------


def report_build(args) -> dict:
    """The annual report of ``--slug`` for ``--year``, as the task worker and the command line
    build it, step by step: every section from the records (each section timed), the public
    version (disclosure control), the tagged PDF, the XLSX annex. The baseline, timed in the
    same process before it: the partnership's crime overview page for the same year, as a
    signed-in member reads it (the page whose figures the report's crime section repeats);
    the figure cache is emptied between the two.
    Needs DJANGO_SETTINGS_MODULE and a database with the demo loaded."""
    import django

    django.setup()
    from django.test import Client

    from saferstat.analytics.periods import parse_period
    from saferstat.core.models import Membership, Partnership
    from saferstat.intelligence import figures
    from saferstat.reports import render, selectors
    from saferstat.reports.models import Report

    partnership = Partnership.objects.get(slug=args.slug)
    member = Membership.objects.filter(partnership=partnership).select_related("user").first()
    client = Client()
    client.force_login(member.user)
    fy = figures.fy_slug(parse_period(args.year, kinds=("financial_year",)))
    url = f"/p/{args.slug}/overview/{fy}/"
    overview = []
    for _ in range(max(args.repeat, 1)):
        t0 = time.perf_counter()
        response = client.get(url)
        overview.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    # The report's figures are computed afresh, not read from the answers the overview page
    # just cached (a nightly rebuild finds the warehouse changed, so its cache empty).
    from saferstat.analytics import runner

    with runner._LOCK:
        runner._CACHE.clear()
    render._image.cache_clear()
    report = Report(
        partnership=partnership,
        kind="annual",
        period=args.year,
        title=f"{partnership.name} annual report {args.year}",
    )
    section_times: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def step(done: int, total: int, label: str) -> None:
        now = time.perf_counter()
        if last[1]:
            section_times[last[1]] = now - last[0]
        last[:] = [now, label if done < total else ""]

    t0 = time.perf_counter()
    sections = selectors.build_sections(report, step)
    t1 = time.perf_counter()
    public, suppressions = selectors.disclose(
        sections, selectors.policy_for(partnership), months=selectors.report_months(report)
    )
    t2 = time.perf_counter()
    pdf = render.pdf_bytes(report, public, public=True)
    t3 = time.perf_counter()
    annex = render.annex(report, public, "xlsx")
    t4 = time.perf_counter()
    return {
        "overview_url": url,
        "overview_first_s": overview[0],
        "overview_warm_s": statistics.median(overview[1:]) if len(overview) > 1 else None,
        "sections_s": t1 - t0,
        "disclose_s": t2 - t1,
        "pdf_s": t3 - t2,
        "annex_s": t4 - t3,
        "total_s": t4 - t0,
        "section_times": section_times,
        "sections": len(sections),
        "suppressions": len(suppressions),
        "pdf_bytes": len(pdf),
        "annex_bytes": len(annex),
    }


TASKS = {
    "report-build": report_build,
    "pandas-ingest": pandas_ingest,
    "duckdb-scan": duckdb_scan,
    "reader": reader,
    "query": query,
    "pandas-query": pandas_query,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--files", help="a text file listing the input files, one a line")
    parser.add_argument("--out")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--per-file", action="store_true", help="pandas-ingest: count per file")
    parser.add_argument("--warehouse")
    parser.add_argument("--which", default="overview")
    parser.add_argument("--slug", default="rotherham", help="report-build: the partnership")
    parser.add_argument("--year", default=PERIOD, help="report-build: the financial year")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--scoped", action="store_true", help="connect(..., force_slugs=[the force]) (query)"
    )
    args = parser.parse_args(argv)
    result = TASKS[args.task](args)
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
