"""The partnership overview aggregate computed by Spark over SaferStat's own Parquet files.

Counts by crime type for a local authority and a financial year, with pyspark ``local[2]``
reading the police.uk files the warehouse manifest names (hive-partitioned:
``dataset=…/force=…/month=…``) and the ``lsoa_by_code`` reference table, must equal
``saferstat.analytics.measures.counts(..., by="crime_type")``. It shows that the same files
serve Spark (or Trino) when a deployment outgrows one machine (``docs/scaling.md``).

Exit status 0 when the two answers are equal, 1 when they differ.

    python bench/spark_check.py                    # the bench warehouse (made if missing)
    python bench/spark_check.py --warehouse var/warehouse --area E08000018 --period 2024/25
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent


def saferstat_counts(warehouse: Path, area: str, period_text: str) -> tuple[dict, list[str]]:
    from saferstat.analytics import measures
    from saferstat.analytics.periods import parse_period
    from saferstat.analytics.warehouse import connect

    with connect(warehouse) as con:
        result = measures.counts(
            con, area_codes=[area], period=parse_period(period_text), by="crime_type"
        )
    return dict(result.rows), list(result.area_codes)


def spark_counts(warehouse: Path, codes: list[str], period_text: str) -> tuple[dict, float]:
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    from saferstat.analytics.periods import parse_period
    from saferstat.analytics.warehouse import STREET_DATASET, read_manifest

    period = parse_period(period_text)
    manifest = read_manifest(warehouse)
    root = warehouse.resolve()
    files = [
        str(root / e["path"])
        for e in manifest["partitions"].values()
        if e["dataset"] == STREET_DATASET and period.start <= e["month"] <= period.end
    ]
    lookup = str(root / manifest["reference"]["lsoa_by_code"]["path"])
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("saferstat-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        started = time.perf_counter()
        # basePath keeps force= and month= as columns although we name the files one by one
        # (the manifest, not a directory listing, says which files are current).
        street = spark.read.option("basePath", str(root)).parquet(*files)
        codes_df = spark.read.parquet(lookup).select("lsoa_code", "lad_code")
        rows = (
            street.join(codes_df, "lsoa_code", "left")
            .where(F.col("lad_code").isin(codes))
            .where((F.col("month") >= period.start) & (F.col("month") <= period.end))
            .groupBy("crime_type")
            .count()
            .collect()
        )
        seconds = time.perf_counter() - started
    finally:
        spark.stop()
    return {r["crime_type"]: int(r["count"]) for r in rows}, seconds


def ensure_bench_warehouse(scale: float) -> Path:
    """The benchmark's national warehouse at ``scale``; generated and loaded if missing."""
    work = ROOT / "var" / "bench"
    warehouse = work / f"warehouse-s{scale:g}-y10"
    if not (warehouse / "manifest.json").exists():
        from bench.run import BIN, ONS, national_files

        folder, _summary = national_files(work, scale, 10, 1)
        saferstat = str(BIN / "saferstat")
        subprocess.run(
            [saferstat, "reference", str(ONS), "--warehouse", str(warehouse)], check=True
        )
        subprocess.run([saferstat, "load", str(folder), "--warehouse", str(warehouse)], check=True)
    return warehouse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, help="default: the bench warehouse")
    parser.add_argument("--scale", type=float, default=0.01, help="of the bench warehouse")
    parser.add_argument("--area", default="E08000018")
    parser.add_argument("--period", default="2024/25")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    warehouse = args.warehouse or ensure_bench_warehouse(args.scale)
    ours, codes = saferstat_counts(warehouse, args.area, args.period)
    theirs, seconds = spark_counts(warehouse, codes, args.period)
    print(json.dumps({"saferstat": ours, "spark": theirs, "spark_seconds": round(seconds, 2)}))
    if ours != theirs:
        print(f"DIFFERENT: SaferStat {ours} != Spark {theirs}", file=sys.stderr)
        return 1
    print(
        f"Spark local[2] and SaferStat agree: {sum(ours.values()):,} records of {args.area} in "
        f"{args.period}, {len(ours)} crime types (Spark job {seconds:.1f} s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
