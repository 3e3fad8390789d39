"""The ``saferstat`` command: load data into the warehouse and ask it questions.

Thin on purpose: every command parses its arguments, calls ``saferstat.analytics`` and prints.
Progress and warnings go to stderr; results go to stdout, so ``--format csv`` output can be
piped as it is.
"""

from __future__ import annotations

import csv
import glob
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

DEFAULT_WAREHOUSE = "var/warehouse"
STREET_PATTERNS = ("*-street.csv", "*-street.csv.gz")


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _existing_warehouse(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """A command that reads the warehouse names a missing one as such, before it is asked
    anything (it used to blame the area code, from the empty reference tables)."""
    if not value.is_dir():
        raise click.BadParameter(
            f"no warehouse at {value}: the folder does not exist. Give the warehouse folder "
            "with --warehouse or SAFERSTAT_WAREHOUSE, or make one with "
            "`saferstat reference demo_data/ons`.",
            ctx=ctx,
            param=param,
        )
    if not (value / "manifest.json").is_file():
        raise click.BadParameter(
            f"{value} is not a SaferStat warehouse (it has no manifest.json): nothing has been "
            "loaded into it. Run `saferstat reference demo_data/ons` first.",
            ctx=ctx,
            param=param,
        )
    return value


def warehouse_option(func: Callable | None = None, *, must_exist: bool = True) -> Callable:
    """``--warehouse DIR`` (env ``SAFERSTAT_WAREHOUSE``, default ``var/warehouse``).

    ``must_exist`` (the default, for the commands that read it): a missing folder, or one
    that holds no warehouse, is refused with a message that says so.
    """

    def decorate(f: Callable) -> Callable:
        return click.option(
            "--warehouse",
            "warehouse_dir",
            type=click.Path(file_okay=False, path_type=Path),
            envvar="SAFERSTAT_WAREHOUSE",
            default=DEFAULT_WAREHOUSE,
            show_default=True,
            show_envvar=True,
            callback=_existing_warehouse if must_exist else None,
            help="Warehouse folder.",
        )(f)

    return decorate(func) if func is not None else decorate


#: Exit statuses of the analysis commands (docs/cli.md): a question that cannot be answered
#: as asked, and a question about data that is not loaded (never answered with zeros).
EXIT_BAD_QUERY = 2
EXIT_NO_DATA = 3


class _AnalysisFailed(click.ClickException):
    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


class _Group(click.Group):
    """Turns a refusal by the warehouse (e.g. an unreadable manifest) into a one-line error,
    and an analysis error into its message on stderr with exit status 2 (bad question) or 3
    (no data loaded for it)."""

    def invoke(self, ctx: click.Context):
        from saferstat.analytics.errors import AnalyticsError, NoDataError
        from saferstat.analytics.warehouse import WarehouseError

        try:
            return super().invoke(ctx)
        except WarehouseError as exc:
            raise click.ClickException(str(exc)) from None
        except NoDataError as exc:
            raise _AnalysisFailed(str(exc), EXIT_NO_DATA) from None
        except AnalyticsError as exc:
            raise _AnalysisFailed(str(exc), EXIT_BAD_QUERY) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--warehouse",
    "warehouse_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Warehouse folder for the command that follows (as its own --warehouse).",
)
def main(warehouse_dir: Path | None = None) -> None:
    """SaferStat: crime data for Community Safety Partnerships.

    \b
    A first session, from a fresh clone:
      saferstat reference demo_data/ons
      saferstat load demo_data/police-uk
      saferstat months
      saferstat counts --area E08000018 --period 2024/25 --by crime_type
    """
    if warehouse_dir is not None:
        # Before the command's own options are read: they take SAFERSTAT_WAREHOUSE.
        os.environ["SAFERSTAT_WAREHOUSE"] = str(warehouse_dir)


# --- reference -------------------------------------------------------------------------


@main.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@warehouse_option(must_exist=False)
def reference(path: Path, warehouse_dir: Path) -> None:
    """Load the ONS reference data (LSOA, ward and local authority lookups, population).

    PATH is the folder of ONS CSV files; files are recognised by their columns. Loading
    again replaces the reference tables.

    \b
    Example:
      saferstat reference demo_data/ons
    """
    from saferstat.analytics.reference import ReferenceDataError
    from saferstat.analytics.warehouse import Warehouse

    try:
        result = Warehouse(warehouse_dir).load_reference(path)
    except ReferenceDataError as exc:
        _stderr().print(str(exc), markup=False)
        sys.exit(1)
    out = _stdout()
    for name, rows in result.tables.items():
        out.print(f"{name}: {rows:,} rows", markup=False)
    for note in result.notes:
        out.print(f"note: {note}", markup=False)
    out.print(f"Reference data loaded into {warehouse_dir} in {result.seconds:.1f} s", markup=False)


# --- load ------------------------------------------------------------------------------


def expand_paths(arguments: Iterable[str]) -> tuple[list[Path], list[str]]:
    """Files to load from files, folders (searched recursively) and glob patterns.

    Returns:
        (files, sorted and without duplicates; arguments that matched nothing).
    """
    files: dict[Path, None] = {}
    unmatched: list[str] = []
    for argument in arguments:
        path = Path(argument)
        found: list[Path] = []
        if path.is_dir():
            for pattern in STREET_PATTERNS:
                found += [p for p in path.rglob(pattern) if p.is_file()]
        elif path.is_file():
            found = [path]
        elif glob.has_magic(argument):
            for match in glob.glob(argument, recursive=True):
                match_path = Path(match)
                if match_path.is_dir():
                    for pattern in STREET_PATTERNS:
                        found += [p for p in match_path.rglob(pattern) if p.is_file()]
                elif match_path.is_file():
                    found.append(match_path)
        if found:
            for item in sorted(found):
                files.setdefault(item, None)
        else:
            unmatched.append(argument)
    return sorted(files), unmatched


#: Exit status when a file was refused only because it needs ``--confirm-change``.
EXIT_NEEDS_CONFIRMATION = 3


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--workers", type=click.IntRange(1, 32), default=None, help="Reader threads.")
@click.option(
    "--confirm-change",
    "confirm_change",
    default="",
    metavar="REASON",
    help="Why replacing a month may change its total by more than "
    "SAFERSTAT_REPLACE_CONFIRM_SHARE (default 10%); recorded in the audit log.",
)
@warehouse_option(must_exist=False)
def load(
    paths: tuple[str, ...], workers: int | None, confirm_change: str, warehouse_dir: Path
) -> None:
    """Load police.uk street-level crime files into the warehouse.

    PATHS are files (YYYY-MM-<force>-street.csv or .csv.gz), folders (searched for such
    files, e.g. an unzipped police.uk download) or glob patterns. Each file is checked
    whole: a broken file is refused with the line, the column and the reason, and nothing
    of it is stored; the other files still load. Loading a month again replaces it.

    A police.uk month is shared by every partnership its force serves, so every load is
    recorded, as done by the command line and the OS user, in the import list and the audit
    log of each of them, with the month's total before and after. Replacing a month in a
    way that changes its total by more than SAFERSTAT_REPLACE_CONFIRM_SHARE is refused
    unless --confirm-change gives the reason. Uses the database in .env (DATABASE_URL).

    Exit status: 0 if every file loaded, 1 if any was refused, 2 if a PATH matched nothing,
    3 if the only refusals were changes that need --confirm-change.

    \b
    Examples:
      saferstat load demo_data/police-uk
      saferstat load 'downloads/**/2025-0*-south-yorkshire-street.csv'
      saferstat load 2024-05-south-yorkshire-street.csv --confirm-change "police.uk reissued May"
    """
    from saferstat.analytics.warehouse import LoadRefusal, LoadResult, Warehouse

    err = _stderr()
    files, unmatched = expand_paths(paths)
    for argument in unmatched:
        err.print(f"error: {argument}: no police.uk street files there", markup=False)
    if not files:
        sys.exit(2)
    _django()
    from saferstat.intelligence.imports.services import (
        ConfirmationRequired,
        SystemActor,
        publish_force_months,
    )

    warehouse = Warehouse(warehouse_dir)
    started = time.perf_counter()
    totals = {"rows": 0, "loaded": 0, "replaced": 0}
    refused: list[LoadRefusal] = []
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TextColumn("{task.fields[rows]:>12,} rows"),
        TextColumn("{task.fields[rate]:>10,.0f} rows/s"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task("Loading", total=len(files), rows=0, rate=0.0)

        def on_result(outcome: LoadResult | LoadRefusal) -> None:
            if isinstance(outcome, LoadRefusal):
                refused.append(outcome)
                progress.console.print(outcome.message, markup=False)
            else:
                totals["rows"] += outcome.rows
                totals["loaded"] += 1
                totals["replaced"] += outcome.replaced
            elapsed = max(time.perf_counter() - started, 1e-9)
            progress.update(task, advance=1, rows=totals["rows"], rate=totals["rows"] / elapsed)

        publish_force_months(
            paths=files,
            actor=SystemActor.command_line(),
            change_reason=confirm_change,
            workers=workers,
            on_result=on_result,
            wh=warehouse,
        )
    seconds = time.perf_counter() - started
    rate = totals["rows"] / seconds if seconds else 0.0
    summary = (
        f"Loaded {totals['loaded']:,} of {len(files):,} files, {totals['rows']:,} rows "
        f"in {seconds:.1f} s ({rate:,.0f} rows/s); {totals['replaced']:,} replaced an "
        f"earlier load; {len(refused):,} refused."
    )
    _stdout().print(summary, markup=False)
    if refused:
        err.print("Refused: " + ", ".join(r.path.name for r in refused), markup=False)
        if all(isinstance(r.error, ConfirmationRequired) for r in refused):
            err.print('Give the reason with --confirm-change "REASON" to load them.', markup=False)
            sys.exit(EXIT_NEEDS_CONFIRMATION)
        sys.exit(1)
    if unmatched:
        sys.exit(2)


# --- fetch -----------------------------------------------------------------------------

#: Exit statuses of ``saferstat fetch`` (docs/fetch.md).
EXIT_FETCH_FAILED = 1
EXIT_FETCH_LEFT = 3


@main.command()
@click.option(
    "--archive",
    default="latest",
    show_default=True,
    metavar="latest|YYYY-MM",
    help="Which police.uk archive: the newest, or the one published for a month.",
)
@click.option(
    "--force",
    "forces",
    multiple=True,
    metavar="SLUG",
    help="Fetch this force only (repeat for more); default: every partnership's force.",
)
@click.option(
    "--url",
    default=None,
    help="Archive folder (default: SAFERSTAT_POLICEUK_ARCHIVE_URL, the public police.uk one).",
)
@warehouse_option
def fetch(archive: str, forces: tuple[str, ...], url: str | None, warehouse_dir: Path) -> None:
    """Download the police.uk archive and load the months not loaded yet.

    The archive is downloaded to a temporary file (resumed or retried if the connection
    drops or the server fails), checked whole (a complete zip, street files named as
    police.uk names them, sizes within the unpack limits, CRCs), and only then are the new
    months of the forces loaded, through the same checks and records as `saferstat load`.
    A month a fetch loaded before and police.uk has reissued is replaced, unless its total
    changes by more than SAFERSTAT_REPLACE_CONFIRM_SHARE: that month is left for a force
    administrator. The run is listed on the imports pages. Uses the database in .env.

    Exit status: 0 if it loaded the new months (or there were none), 1 if the download or the
    archive was refused (nothing loaded), 3 if some months were left for a force
    administrator.

    \b
    Examples:
      saferstat fetch
      saferstat fetch --archive 2025-09 --force south-yorkshire
    """
    from saferstat.analytics.fetch import ARCHIVE_NAME
    from saferstat.analytics.warehouse import Warehouse

    if not ARCHIVE_NAME.match(archive):
        raise click.BadParameter("give 'latest' or a month as YYYY-MM", param_hint="--archive")
    _django()
    from saferstat.intelligence.fetch import policeuk_fetch
    from saferstat.intelligence.fetch_models import FetchStatus
    from saferstat.intelligence.figures import unpack_limits
    from saferstat.intelligence.imports.services import SystemActor

    err = _stderr()
    actor = SystemActor(
        SystemActor.command_line().label.replace("command line", "fetch from the command line", 1)
    )
    run = policeuk_fetch(
        actor=actor,
        archive=archive,
        forces=list(forces) or None,
        base_url=url,
        wh=Warehouse(warehouse_dir, unpack_limits=unpack_limits()),
        on_note=lambda text: err.print(text, markup=False),
    )
    out = _stdout()
    for item in run.loaded:
        verb = "replaced" if item["replaced"] else "loaded"
        out.print(f"{item['force']} {item['month']}: {verb}, {item['rows']:,} rows", markup=False)
    for item in run.left:
        err.print(f"{item['force']} {item['month']}: not loaded. {item['reason']}", markup=False)
    out.print(f"{run.get_status_display()} ({run.url}).", markup=False)
    if run.status == FetchStatus.FAILED:
        sys.exit(EXIT_FETCH_FAILED)
    if run.status == FetchStatus.NEEDS_REVIEW:
        sys.exit(EXIT_FETCH_LEFT)


# --- months ----------------------------------------------------------------------------


def _ranges(months: list[str]) -> str:
    """``['2019-07', '2021-10', '2021-11']`` -> ``'2019-07, 2021-10 to 2021-11'``."""
    from saferstat.analytics.periods import describe_months

    return describe_months(months)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@warehouse_option
def months(fmt: str, warehouse_dir: Path) -> None:
    """List the police.uk months loaded for each force, and the gaps between them.

    A gap is a month missing between a force's first and last loaded month: figures for
    periods that include it are incomplete, never zero.

    \b
    Examples:
      saferstat months
      saferstat months --format json
    """
    from saferstat.analytics.warehouse import Warehouse

    coverage = Warehouse(warehouse_dir).months()
    if fmt == "json":
        data = [
            {
                "force": c.force,
                "first": c.first,
                "last": c.last,
                "months": c.months,
                "missing": c.missing,
            }
            for c in coverage.values()
        ]
        click.echo(json.dumps(data, indent=2))
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["force", "month", "status"])
        for c in coverage.values():
            status = dict.fromkeys(c.months, "loaded") | dict.fromkeys(c.missing, "missing")
            for month in sorted(status):
                writer.writerow([c.force, month, status[month]])
        return
    if not coverage:
        _stderr().print(f"No police.uk months loaded in {warehouse_dir}.", markup=False)
        return
    table = _table("Force", "First", "Last", "Loaded", "Missing")
    for c in coverage.values():
        table.add_row(c.force, c.first, c.last, f"{len(c.months):,}", _ranges(c.missing) or "none")
    _stdout().print(table)


# --- counts ----------------------------------------------------------------------------


@main.command()
@click.option("--area", required=True, help="Local authority code, old or new (E08000018).")
@click.option(
    "--period",
    required=True,
    help="2024/25 (financial year), 2024/25-Q1 (quarter), 2024-05 (month) or R12-2025-09.",
)
@click.option(
    "--by",
    type=click.Choice(["crime_type", "ward", "month"]),
    default="crime_type",
    show_default=True,
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@warehouse_option
def counts(area: str, period: str, by: str, fmt: str, warehouse_dir: Path) -> None:
    """Count police.uk records (crimes and anti-social behaviour) in an area over a period.

    Records belong to the area through their LSOA (old 2011 LSOAs are mapped to 2021 LSOAs
    and current wards), from the files of the force that polices the area. If months of the
    period are not loaded, a warning goes to stderr and the counts cover the loaded months
    only; if none is, the command fails with exit status 3 (no data is never a zero).

    With --format csv, stdout holds exactly a header `<by>,count` and one row per key,
    sorted by key.

    \b
    Examples:
      saferstat counts --area E08000018 --period 2024/25 --by crime_type
      saferstat counts --area E08000038 --period 2024/25-Q3 --by ward --format csv
    """
    q = _query(warehouse_dir, "counts", area, period=period, by=by)
    codes, parsed = q.area_codes, q.period
    result = _run(warehouse_dir, q)
    if result.missing_months:
        n_missing, n_all = len(result.missing_months), len(parsed.months)
        _stderr().print(
            f"warning: {parsed.label} is incomplete: no police.uk data loaded for "
            f"{_ranges(sorted(result.missing_months))} ({n_missing} of {n_all} months); "
            "the counts cover the loaded months only",
            markup=False,
        )
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([by, "count"])
        writer.writerows(result.rows)
        return
    if fmt == "json":
        data = {
            "area": area,
            "area_codes": list(codes),
            "period": parsed.label,
            "months": parsed.months,
            "missing_months": list(result.missing_months),
            "by": by,
            "rows": [{by: key, "count": count} for key, count in result.rows],
            "total": sum(count for _, count in result.rows),
        }
        click.echo(json.dumps(data, indent=2))
        return
    table = _table(by, "count", title=f"{area} {parsed.label}")
    for key, count in result.rows:
        table.add_row(str(key), f"{count:,}")
    table.add_row("Total", f"{sum(c for _, c in result.rows):,}", style="bold")
    _stdout().print(table)


# --- intelligence: spc, compare, hotspots ----------------------------------------------

_FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
    show_default=True,
)  # fmt: skip
_CRIME_TYPE = click.option(
    "--crime-type", "crime_types", multiple=True,
    help="police.uk category, e.g. 'Possession of weapons' (repeat for several; default: all "
    "records, crime and ASB).",
)  # fmt: skip


def _table(*headers: str, title: str | None = None) -> Table:
    """A rich table whose cells wrap (fold) at the terminal width instead of being cut
    short with an ellipsis ("Doncas..."): every value stays readable at 80 columns."""
    table = Table(title=title)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def _cell(value: object) -> object:
    return "" if value is None else round(value, 6) if isinstance(value, float) else value


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return f"{_cell(value)}"


def _emit(
    fmt: str,
    rows: list[dict],
    data: dict,
    title: str,
    columns: dict[str, str],
    footer: Iterable[str] = (),
) -> None:
    """Print rows as csv (every column, nothing else on stdout), json (``data``) or a table
    of the ``columns`` (key -> heading) followed by the ``footer`` lines."""
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        if rows:
            writer.writerow(list(rows[0]))
        writer.writerows([_cell(v) for v in row.values()] for row in rows)
        return
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, default=str))
        return
    table = _table(*columns.values(), title=title)
    for row in rows:
        cells = (row[key] for key in columns)
        table.add_row(*(_shown(v) for v in cells))
    out = _stdout()
    out.print(table)
    for line in footer:
        out.print(line, markup=False)


#: The analysis query's parameter names -> the CLI's options (for a refusal's hint).
_OPTION_NAMES = {
    "period": "--period", "from": "--from", "to": "--to", "crime_type": "--crime-type",
    "compare": "--with", "by": "--by", "level": "--level", "rank": "--rank",
    "polarity": "--polarity", "gaps": "--gaps", "target": "--target",
}  # fmt: skip


def _query(warehouse_dir: Path, analysis: str, area: str, **options):
    """The analysis query of a command, read by the one parser
    (:func:`saferstat.analytics.query.parse_query`, as the explorer and the API read theirs),
    scoped to the forces that police the area (the web passes the partnership's force): a
    month counts as loaded when that force has it, whatever other forces the warehouse
    holds. A refusal is a usage error (exit status 2) with the parser's message.
    """
    from saferstat.analytics.coverage import area_forces
    from saferstat.analytics.query import InvalidQuery, parse_query
    from saferstat.analytics.reference import UnknownAreaError, area_codes
    from saferstat.analytics.warehouse import connect

    params = {k: v for k, v in options.items() if v is not None}
    with connect(warehouse_dir) as con:
        try:
            codes = area_codes(con, area)
        except UnknownAreaError as exc:
            raise click.BadParameter(str(exc), param_hint="--area") from None
        try:
            for code in _comparator_codes(params.get("compare", "")):
                area_codes(con, code)
        except UnknownAreaError as exc:
            raise click.BadParameter(str(exc), param_hint="--with") from None
        forces = area_forces(con, codes)
    try:
        return parse_query(params, analysis=analysis, area_codes=codes, force_slugs=forces)
    except InvalidQuery as exc:
        raise click.BadParameter(str(exc), param_hint=_OPTION_NAMES.get(exc.field)) from None


def _comparator_codes(text: str) -> list[str]:
    from saferstat.analytics.query import LAD, parse_codes

    return [c for c in parse_codes(text) if LAD.fullmatch(c)]


def _run(warehouse_dir: Path, q):
    from saferstat.analytics.runner import run

    return run(warehouse_dir, q)


def _warn_missing(label: str, missing: Iterable[str]) -> None:
    missing = sorted(missing)
    if missing:
        _stderr().print(
            f"warning: {label} is incomplete: no police.uk data loaded for {_ranges(missing)}; "
            "figures cover the loaded months only (a missing month is never counted as zero)",
            markup=False,
        )


@main.command()
@click.option("--area", required=True, help="Local authority code, old or new (E08000018).")
@click.option("--from", "start", required=True, help="First month, YYYY-MM.")
@click.option("--to", "end", required=True, help="Last month, YYYY-MM.")
@_CRIME_TYPE
@click.option(
    "--polarity", type=click.Choice(["decrease", "increase", "neutral"]), default="decrease",
    show_default=True, help="Which direction is better (decrease: less crime is better).",
)  # fmt: skip
@click.option("--target", type=float, default=None, help="Monthly target (assurance icon).")
@click.option(
    "--gaps", type=click.Choice(["split", "refuse"]), default="split", show_default=True,
    help="A missing month splits the chart into segments, or is refused.",
)  # fmt: skip
@_FORMAT
@warehouse_option
def spc(area, start, end, crime_types, polarity, target, gaps, fmt, warehouse_dir) -> None:
    """SPC (XmR, Making Data Count) chart of an area's records per month.

    A missing month is never filled: by default the series is split there and each unbroken
    run of months gets its own mean and limits (the verdict is the latest run's); with
    --gaps refuse the command fails instead. Warnings go to stderr.

    \b
    Examples:
      saferstat spc --area E08000018 --from 2024-01 --to 2025-09 --crime-type 'Possession of weapons'
      saferstat spc --area E08000018 --from 2018-01 --to 2025-09 --format csv
    """
    from saferstat.analytics.spc_series import SpcGapError

    q = _query(
        warehouse_dir, "spc", area, **{"from": start, "to": end}, crime_type=list(crime_types),
        polarity=polarity, target=None if target is None else str(target), gaps=gaps,
    )  # fmt: skip
    codes = q.area_codes
    try:
        chart = _run(warehouse_dir, q)
    except SpcGapError as exc:
        raise click.ClickException(str(exc)) from None
    for warning in chart.warnings:
        _stderr().print(f"warning: {warning}", markup=False)
    rows = chart.table()
    verdict = [
        f"Latest segment {chart.latest.start} to {chart.latest.end}: variation "
        f"{chart.variation_icon}" + (f", assurance {chart.assurance_icon}" if target else "")
    ] if chart.latest else ["No data loaded in this range."]  # fmt: skip
    data = {
        "area": area, "area_codes": list(codes), "label": chart.label, "from": chart.start,
        "to": chart.end, "polarity": str(chart.polarity), "target": target,
        "missing_months": list(chart.missing_months),
        "segments": [{"from": s.start, "to": s.end, "points": len(s.months),
                      "variation_icon": s.chart.variation_icon,
                      "assurance_icon": s.chart.assurance_icon} for s in chart.segments],
        "variation_icon": chart.variation_icon, "assurance_icon": chart.assurance_icon,
        "warnings": list(chart.warnings), "rows": rows,
    }  # fmt: skip
    columns = {"month": "Month", "count": "Records", "mean": "Mean", "lpl": "Lower limit",
               "upl": "Upper limit", "point_type": "Variation"}  # fmt: skip
    title = f"{chart.label}, {chart.area_name}, {start} to {end}"
    _emit(fmt, rows, data, title, columns, verdict)


@main.command()
@click.option("--area", required=True, help="Local authority code of the partnership.")
@click.option("--period", required=True, help="2024/25, 2024/25-Q1, 2024-05 or R12-2025-09.")
@click.option(
    "--with", "with_codes", multiple=True,
    help="Local authority codes to compare with (comma-separated or repeated; default: the "
    "partnership's neighbours, e.g. the other South Yorkshire authorities).",
)  # fmt: skip
@_CRIME_TYPE
@_FORMAT
@warehouse_option
def compare(area, period, with_codes, crime_types, fmt, warehouse_dir) -> None:
    """Compare a partnership's rate per 1,000 residents with its neighbours.

    Rates use Census 2021 residents; intervals are 95%, exact Poisson below 10 records and
    Byar's approximation from 10 (each row names its method); the group rate is all areas'
    records over all their residents. "above"/"below" means the interval excludes the group
    rate; "funnel" is the position against the 95% and 99.8% funnel limits.

    \b
    Examples:
      saferstat compare --area E08000018 --period 2024/25 --crime-type 'Possession of weapons'
      saferstat compare --area E08000018 --period 2024/25 --with E08000038 --format csv
    """
    others = ",".join(c.strip() for item in with_codes for c in item.split(",") if c.strip())
    q = _query(
        warehouse_dir, "compare", area, period=period, compare=others,
        crime_type=list(crime_types),
    )  # fmt: skip
    parsed = q.period
    result = _run(warehouse_dir, q)
    _warn_missing(parsed.label, result.missing_months)
    rows = result.table()
    data = {
        "area": area, "period": parsed.label, "label": result.label,
        "missing_months": list(result.missing_months), "group_count": result.group_count,
        "group_population": result.group_population,
        "group_rate_per_1000": result.group_rate_per_1000, "confidence": result.confidence,
        "rows": rows, "notes": list(result.notes),
    }  # fmt: skip
    footer = [f"Group rate: {result.group_rate_per_1000:,.2f} per 1,000", *result.notes]
    columns = {"name": "Area", "count": "Records", "population": "Residents",
               "rate_per_1000": "Per 1,000", "lower": "Lower 95%", "upper": "Upper 95%",
               "method": "Interval", "significance": "vs group", "funnel": "Funnel"}  # fmt: skip
    _emit(fmt, rows, data, f"{result.label}, {parsed.label}", columns, footer)


@main.command()
@click.option("--area", required=True, help="Local authority code of the partnership.")
@click.option("--period", required=True, help="2024/25, 2024/25-Q1, 2024-05 or R12-2025-09.")
@click.option("--level", type=click.Choice(["ward", "lsoa"]), default="ward", show_default=True)
@click.option(
    "--rank", "rank_by", type=click.Choice(["count", "rate", "harm", "harm_rate"]),
    default="rate", show_default=True,
)  # fmt: skip
@_CRIME_TYPE
@_FORMAT
@warehouse_option
def hotspots(area, period, level, rank_by, crime_types, fmt, warehouse_dir) -> None:
    """Rank the wards (2024) or LSOAs (2021) of an area by count, rate or harm.

    Each row has its rate per 1,000 residents with its 95% interval (exact Poisson below 10
    records, Byar's approximation from 10; the method is named per row), whether it is
    significantly above or below the partnership's rate, and a harm estimate (Cambridge
    Crime Harm Index days, with its range; anti-social behaviour excluded).

    \b
    Examples:
      saferstat hotspots --area E08000018 --period 2024/25
      saferstat hotspots --area E08000018 --period 2024/25 --level lsoa --rank harm --format csv
    """
    q = _query(
        warehouse_dir, "hotspots", area, period=period, level=level, rank=rank_by,
        crime_type=list(crime_types),
    )  # fmt: skip
    codes, parsed = q.area_codes, q.period
    result = _run(warehouse_dir, q)
    _warn_missing(parsed.label, result.missing_months)
    rows = result.table()
    data = {
        "area": area, "area_codes": list(codes), "period": parsed.label, "level": level,
        "rank_by": rank_by, "label": result.label, "missing_months": list(result.missing_months),
        "count": result.count, "population": result.population,
        "rate_per_1000": result.rate_per_1000, "harm_days": result.harm.total_days,
        "harm_low_days": result.harm.total_low_days,
        "harm_high_days": result.harm.total_high_days, "harm_source": result.harm.source,
        "rows": rows, "notes": list(result.notes),
    }  # fmt: skip
    footer = [
        f"{result.area_name}: {result.count:,} records, {result.rate_per_1000:,.2f} per 1,000; "
        f"harm estimate {result.harm.range_text}",
        *result.notes,
    ]
    columns = {"rank": "Rank", "name": "Name", "count": "Records", "rate_per_1000": "Per 1,000",
               "significance": "vs area", "harm_days": "Harm (days)"}  # fmt: skip
    title = f"{result.label}, {result.area_name}, {parsed.label}"
    _emit(fmt, rows, data, title, columns, footer)


def _django() -> None:
    """Set up Django for the commands that need the operational database (load: its audit
    records; backup, restore).

    Imported here, not at the top, so the data commands never load Django.
    """
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


@main.command()
@click.option(
    "--dest",
    "dest",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Folder for the archive, which must exist (default: SAFERSTAT_BACKUP_DIR).",
)
def backup(dest) -> None:
    """Back up the database, the warehouse and uploaded files to one .tar.gz.

    Uses the settings in .env / the environment (DATABASE_URL, SAFERSTAT_WAREHOUSE, ...).

    \b
    Example:
      saferstat backup --dest /var/backups/saferstat
    """
    _django()
    from saferstat.core.backup import backup_create

    archive = backup_create(dest)
    click.echo(str(archive))


@main.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace an install that already holds data.")
@click.option(
    "--sha256", "expected_sha256", default=None, help="Refuse unless the archive has this checksum."
)
def restore(archive, force, expected_sha256) -> None:
    """Restore a backup made by `saferstat backup` (stop the web app and worker first).

    Every file is checked before anything changes; an install holding data is only
    replaced with --force.

    \b
    Example:
      saferstat restore /var/backups/saferstat/saferstat-backup-20261123T160000Z.tar.gz
    """
    _django()
    from saferstat.core.backup import BackupError, backup_restore

    try:
        result = backup_restore(archive, force=force, expected_sha256=expected_sha256)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Restored {result.archive.name} (made {result.created_at}): database, "
        f"{result.warehouse_files} warehouse files, {result.media_files} uploaded files."
    )


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]))
