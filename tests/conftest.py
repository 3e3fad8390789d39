"""Shared fixtures: warehouses built from the real demo data, once per test session.

The session warehouses are read-only for tests: a test that writes copies one first
(``shutil.copytree(demo_warehouse, tmp_path / "wh")``) or builds its own.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO_DATA = ROOT / "demo_data"
ONS = DEMO_DATA / "ons"
POLICEUK = DEMO_DATA / "police-uk"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: 20 real rows of 2024-12 (LF, no BOM): ASB rows with a blank Crime ID, one row with no LSOA.
SAMPLE_STREET_FILE = FIXTURES / "policeuk" / "2024-12-south-yorkshire-street.csv"

#: Months in ``small_warehouse``: two around the 2019-07 gap, and one 2021-LSOA month.
SMALL_MONTHS = ("2019-06", "2019-08", "2024-12")


def policeuk_file(month: str) -> Path:
    """The demo police.uk file of a month (``2024-12``)."""
    return POLICEUK / f"{month}-south-yorkshire-street.csv.gz"


def warehouse_state(root: Path) -> dict[str, str]:
    """Every file under ``root`` (relative path -> SHA-256), to prove nothing changed."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    } | {p.relative_to(root).as_posix() + "/": "dir" for p in root.rglob("*") if p.is_dir()}


def _build(root: Path, files: list[Path], name: str) -> Path:
    """A warehouse of the ONS reference data and ``files``, kept between runs and shared by
    the workers (``tests/warehouse_cache.py``: rebuilt when the data or the code changes)."""
    from tests.warehouse_cache import cached_warehouse

    def build(into: Path) -> None:
        from saferstat.analytics.warehouse import LoadRefusal, Warehouse

        warehouse = Warehouse(into)
        warehouse.load_reference(ONS)
        outcomes = warehouse.load_policeuk_files(files)
        refused = [o for o in outcomes if isinstance(o, LoadRefusal)]
        assert not refused, [o.message for o in refused]

    return cached_warehouse(name, root, [ONS, *files], build)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """Warehouse folder with ONS reference data and all 65 demo police.uk months."""
    files = sorted(POLICEUK.glob("*-street.csv.gz"))
    assert len(files) == 65
    return _build(tmp_path_factory.mktemp("demo") / "warehouse", files, "demo")


@pytest.fixture(scope="session")
def demo_warehouse_con(demo_warehouse):
    """A DuckDB connection (``warehouse.connect``) over ``demo_warehouse``."""
    from saferstat.analytics.warehouse import connect

    con = connect(demo_warehouse)
    yield con
    con.close()


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory) -> Path:
    """Warehouse folder with reference data and the months in :data:`SMALL_MONTHS`."""
    files = [policeuk_file(m) for m in SMALL_MONTHS]
    return _build(tmp_path_factory.mktemp("small") / "warehouse", files, "small")


@pytest.fixture(scope="session")
def small_warehouse_con(small_warehouse):
    from saferstat.analytics.warehouse import connect

    con = connect(small_warehouse)
    yield con
    con.close()


@pytest.fixture(scope="session")
def state_of():
    """``state_of(root)``: every file under a warehouse with its hash (see
    :func:`warehouse_state`); compare before and after to prove nothing changed."""
    return warehouse_state


#: Tests left out of `make check` (the edit-test loop): they start other processes (a CLI or a
#: deploy check in a subprocess, a killed worker, collectstatic, backup round trips into
#: another install, gunicorn, an HTTP server, bombs in a child process), generate benchmark
#: data, build a whole demo, or crawl every URL as every identity (the access matrix, the
#: isolation test, fuzzing). `make test` runs them all. A node id listed here gets the
#: `subprocess` marker.
OUT_OF_CHECK = (
    "tests/core/test_backup.py::",
    "tests/core/test_static.py::",
    "tests/core/test_isolation.py::",
    "tests/core/test_access_matrix.py::",
    "tests/core/test_two_factor.py::test_every_url_is_closed",
    "tests/core/test_two_factor_http.py::",
    "tests/core/test_fuzz_http.py::",
    "tests/core/test_query_counts.py::",
    "tests/core/test_log_lines.py::test_the_logging_configuration_loads_before_the_apps",
    "tests/core/test_smoke_script.py::",
    "tests/core/test_request_id.py::test_the_format_comes_from_the_environment",
    "tests/core/test_migrations.py::test_upgrade_from_the_previous_release",
    "tests/analytics/test_bombs.py::",
    "tests/intelligence/test_fetch.py::",
    "tests/assessment/test_demo.py::",
    "tests/casereviews/test_demo.py::",
    "tests/delivery/test_demo.py::",
    "tests/governance/test_demo.py::",
    "tests/performance/test_demo.py::",
    "tests/bench/test_generate.py::",
    "tests/core/test_hardening.py::test_deploy_checks",
    "tests/core/test_hardening.py::test_the_gunicorn_configuration",
    "tests/analytics/test_cli.py::test_analytics_and_cli_never_import_django",
    "tests/analytics/test_measures.py::test_analytics_modules_never_import_django",
    "tests/analytics/test_warehouse.py::test_loads_killed_at_random_moments",
    "tests/analytics/test_warehouse.py::test_a_killed_load_leaves_the_previous_state",
    "tests/analytics/test_warehouse.py::test_loading_files_imports_neither_pandas_nor_duckdb",
    "tests/analytics/test_warehouse.py::test_two_writers_at_once_lose_nothing",
    # These need the migration files; `make check` builds its database from the models
    # (`--nomigrations`, ~8 s less per worker).
    "tests/core/test_migrations.py::",
    "tests/delivery/test_editing_and_reminders.py::test_the_migration_keeps_each_projects_priority",
)


#: Tests slow by nature (each well over 10 s of CPU in `make check`'s --durations): a migration
#: run backwards and forwards, twenty uploads at once, the whole partner demo through the
#: worker, and the before/after grid (marked in its file). They get the `slow` marker, so
#: `make test` runs them and `make check` does not.
SLOW = (
    "tests/core/test_two_factor.py::test_the_migration_keeps_old_devices_working",
    "tests/intelligence/test_upload_limits.py::test_twenty_simultaneous_partner_uploads_are_all_kept_with_their_rows",
    "tests/intelligence/test_partner_views.py::test_demo_partner_data_loads_through_the_checks_and_is_labelled",
)


#: Fixtures holding a whole year or more of real police.uk months. A test that uses one checks
#: figures end to end (pages, API, CLI against recounts from the raw files) and pays for a
#: DuckDB catalogue of its own; such tests get the `warehouse` marker: `make test` runs them,
#: `make check` does not (run them with `pytest -m warehouse` after changing analytics).
#: Tests over ``small_warehouse`` (three months) stay in `make check`.
REAL_YEAR_WAREHOUSES = frozenset(
    {"demo_warehouse", "demo_warehouse_con", "fy2425_warehouse", "overview_warehouse"}
)


#: Fixtures that give a test the Django database (directly or through another fixture).
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences"})


def pytest_collection_modifyitems(config, items):
    marker = pytest.mark.subprocess
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if item.get_closest_marker("django_db") or DATABASE_FIXTURES & fixtures:
            item.add_marker(pytest.mark.database)
        if item.nodeid.startswith(OUT_OF_CHECK):
            item.add_marker(marker)
        if REAL_YEAR_WAREHOUSES & fixtures:
            item.add_marker(pytest.mark.warehouse)
        if item.nodeid.startswith(SLOW):
            item.add_marker(pytest.mark.slow)
