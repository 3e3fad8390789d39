"""Extract the Census 2021 counts the consultation coverage page needs for the four South
Yorkshire local authorities, from the ONS tables in ../shared/data/census (see their README),
into one tidy file: demo_data/census/census2021_south_yorkshire.csv.

Run: python scripts/census_extract.py ../shared/data/census demo_data/census
"""

from __future__ import annotations

import csv
import gzip
import sys
from collections import defaultdict
from pathlib import Path

LADS = {
    "E08000016": "Barnsley",
    "E08000017": "Doncaster",
    "E08000018": "Rotherham",
    "E08000019": "Sheffield",
}
#: Consultation age bands (people aged 16 and over) from TS009's broad bands, which do not
#: overlap (TS009 also has single years inside each band: never add every column).
AGE_BANDS = {
    "16-24": ["16 to 19 years", "20 to 24 years"],
    "25-34": ["25 to 34 years"],
    "35-49": ["35 to 49 years"],
    "50-64": ["50 to 64 years"],
    "65-74": ["65 to 74 years"],
    "75+": ["75 to 84 years", "85 years and over"],
}


def main(source: Path, target: Path) -> None:
    rows: list[tuple[str, str, str, str, str, int]] = []
    with (source / "gbr_ew_census2021-ts009-ltla.csv").open(newline="") as f:
        for rec in csv.DictReader(f):
            code = rec["geography code"]
            if code not in LADS:
                continue
            for band, parts in AGE_BANDS.items():
                total = sum(
                    int(rec[f"Sex: All persons; Age: Aged {p}; measures: Value"]) for p in parts
                )
                rows.append((code, LADS[code], "TS009", "age", band, total))
    for table, name, dimension, groups in (
        ("TS008", "TS008_sex_2021.csv.gz", "sex", {"Female": "Female", "Male": "Male"}),
        (
            "TS038",
            "TS038_disability_3a_2021.csv.gz",
            "disability",
            {
                "Disabled under the Equality Act": "Disabled",
                "Not disabled under the Equality Act": "Not disabled",
            },
        ),
    ):
        with gzip.open(source / name, "rt", newline="") as f:
            for rec in csv.DictReader(f):
                code = rec["Geography code"]
                if code in LADS and rec["Geography area type"] == "Local Authority":
                    for column, group in groups.items():
                        rows.append((code, LADS[code], table, dimension, group, int(rec[column])))
    ethnic: dict[tuple[str, str], float] = defaultdict(float)
    with (source / "ethnicity21_ltla21_converted.csv").open(newline="") as f:
        for rec in csv.DictReader(f):
            code, group = rec["ltla21_code"], rec["ethnic_group"]
            if code in LADS and group.endswith("(number)"):
                ethnic[(code, group.split(":")[0].strip())] += float(rec["value"])
    for (code, group), value in sorted(ethnic.items()):
        rows.append((code, LADS[code], "Ethnic group", "ethnic_group", group, round(value)))
    target.mkdir(parents=True, exist_ok=True)
    with (target / "census2021_south_yorkshire.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["lad_code", "lad_name", "table", "dimension", "group", "count"])
        writer.writerows(sorted(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
