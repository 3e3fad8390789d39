"""Demo partner datasets: invented but plausible values, labelled as such everywhere.

Six datasets that Safer Rotherham Partnership's scrutiny asks about and police.uk does not
publish: repeat missing children, first-time entrants to the youth justice system, CSE/CCE
intelligence reports, hate incidents with outcomes, knife crime, domestic abuse referrals.
The values are made up from a fixed seed per partnership and dataset (the same files every
time), scaled by Census 2021 population of each ward or LSOA. They are NOT real figures.

The files are written as CSV (one with a byte order mark and CRLF line ends, as Excel saves
them) and XLSX to a temporary folder and loaded as an analyst would load them: declared by
the partnership admin, uploaded by the analyst, checked and stored by the same services the
pages use (`datasets.services`). There is no back door into the warehouse.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from saferstat.analytics.periods import month_range, parse_period, quarter_of

#: Months and quarters the demo covers: 2024/25 and the first half of 2025/26.
DEMO_MONTHS = month_range("2024-04", "2025-09")
DEMO_QUARTERS = list(dict.fromkeys(quarter_of(m).label for m in DEMO_MONTHS))

#: The partnerships that get demo partner data (slug -> users who declare and upload).
DEMO_PARTNERSHIPS = ("rotherham", "barnsley")


@dataclass(frozen=True)
class DemoArea:
    """The geography a generator spreads its invented values over.

    Attributes:
        lad_code: the local authority code files use at partnership level.
        wards: ``(ward_code, population)`` of the current (2024) wards.
        lsoas: ``(lsoa21_code, population)`` of the 2021 LSOAs.
    """

    lad_code: str
    wards: list[tuple[str, int]]
    lsoas: list[tuple[str, int]]

    @property
    def population(self) -> int:
        return sum(p for _, p in self.wards)


@dataclass(frozen=True)
class DemoDataset:
    """One demo dataset: its declaration, its file format and its generator."""

    slug: str
    name: str
    description: str
    schema: dict
    sensitive: bool
    organisation: str  # key in saferstat.core.demo.ORGANISATIONS
    file_format: str  # "csv", "csv-excel" (BOM + CRLF) or "xlsx"
    generate: Callable[[DemoArea, random.Random], list[list]]
    shared_with_scrutiny: bool = False

    @property
    def header(self) -> list[str]:
        return [c["name"] for c in self.schema["columns"]]


def _poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's method for small means, a rounded normal for large)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _season(month: str, amplitude: float = 0.15, peak: int = 7) -> float:
    """A gentle yearly cycle peaking in ``peak`` (July: summer peaks are common)."""
    return 1 + amplitude * math.cos(2 * math.pi * (int(month[5:7]) - peak) / 12)


def _ward_weights(area: DemoArea, rng: random.Random) -> list[tuple[str, float]]:
    """Each ward's share of the area, by population with a fixed random 'hotspot' factor."""
    factors = [(code, pop * rng.lognormvariate(0, 0.5)) for code, pop in area.wards]
    total = sum(w for _, w in factors) or 1
    return [(code, w / total) for code, w in factors]


def _column(name: str, kind: str, allowed: list[str] | None = None, required: bool = True) -> dict:
    return {"name": name, "type": kind, "allowed": allowed or [], "required": required}


# --- the six generators ----------------------------------------------------------------

AGE_MISSING = ["Under 12", "12 to 15", "16 to 17"]


def repeat_missing_children(area: DemoArea, rng: random.Random) -> list[list]:
    rows = []
    per_quarter = area.population / 1000 * 0.25  # about 0.25 children per 1,000 residents
    weights = _ward_weights(area, rng)
    for quarter in DEMO_QUARTERS:
        factor = _season(parse_period(quarter).months[1])
        for ward, share in weights:
            for age, age_share in zip(AGE_MISSING, (0.1, 0.55, 0.35), strict=True):
                rows.append(
                    [quarter, ward, age, _poisson(rng, per_quarter * factor * share * age_share)]
                )
    return rows


def first_time_entrants(area: DemoArea, rng: random.Random) -> list[list]:
    rows = []
    per_quarter = area.population / 1000 * 0.1
    for i, quarter in enumerate(DEMO_QUARTERS):
        trend = 1 - 0.02 * i  # a slow fall, as nationally
        for age, age_share in (("10 to 14", 0.3), ("15 to 17", 0.7)):
            for sex, sex_share in (("Female", 0.2), ("Male", 0.8)):
                rows.append(
                    [
                        quarter,
                        area.lad_code,
                        age,
                        sex,
                        _poisson(rng, per_quarter * trend * age_share * sex_share),
                    ]
                )
    return rows


EXPLOITATION = ["CSE", "CCE"]
SOURCES_CSE = ["Police", "Children's social care", "Education", "Health", "Voluntary sector"]


def exploitation_reports(area: DemoArea, rng: random.Random) -> list[list]:
    rows = []
    per_month = area.population / 1000 * 0.12
    weights = _ward_weights(area, rng)
    for month in DEMO_MONTHS:
        for ward, share in weights:
            for kind, kind_share in zip(EXPLOITATION, (0.45, 0.55), strict=True):
                for source, source_share in zip(
                    SOURCES_CSE, (0.4, 0.25, 0.15, 0.1, 0.1), strict=True
                ):
                    n = _poisson(rng, per_month * share * kind_share * source_share)
                    if n:  # partners' exports list only the combinations that occurred
                        rows.append([month, ward, kind, source, n])
    return rows


STRANDS = ["Race", "Religion or belief", "Sexual orientation", "Disability", "Transgender identity"]
OUTCOMES = [
    "Charged or summonsed",
    "Out-of-court disposal",
    "No further action",
    "Under investigation",
]


def hate_incidents(area: DemoArea, rng: random.Random) -> list[list]:
    rows = []
    per_month = area.population / 1000 * 0.17
    lsoas = [(code, pop * rng.lognormvariate(0, 0.7)) for code, pop in area.lsoas]
    codes, weights = [c for c, _ in lsoas], [w for _, w in lsoas]
    for index, month in enumerate(DEMO_MONTHS):
        year, mon = int(month[:4]), int(month[5:7])
        days = (dt.date(year + mon // 12, mon % 12 + 1, 1) - dt.date(year, mon, 1)).days
        months_ago = len(DEMO_MONTHS) - 1 - index
        for _ in range(_poisson(rng, per_month * _season(month, 0.2))):
            date = dt.date(year, mon, rng.randint(1, days))
            strand = rng.choices(STRANDS, (0.6, 0.12, 0.15, 0.09, 0.04))[0]
            if months_ago < 2 and rng.random() < 0.6:
                outcome = "Under investigation"
            else:
                outcome = rng.choices(OUTCOMES[:3], (0.2, 0.15, 0.65))[0]
            reference = f"HI-{date:%y%m}-{rng.randint(1000, 9999)}"
            rows.append([date, rng.choices(codes, weights)[0], strand, outcome, reference])
    rows.sort(key=lambda r: r[0])
    return rows


KNIFE_OFFENCES = [
    "Possession of a bladed article",
    "Assault with injury (knife)",
    "Robbery (knife)",
    "Threats to kill (knife)",
]


def knife_crime(area: DemoArea, rng: random.Random) -> list[list]:
    rows = []
    per_month = area.population / 1000 * 0.09
    weights = _ward_weights(area, rng)
    for month in DEMO_MONTHS:
        for ward, share in weights:
            for offence, offence_share in zip(KNIFE_OFFENCES, (0.45, 0.3, 0.15, 0.1), strict=True):
                n = _poisson(rng, per_month * _season(month) * share * offence_share)
                if n:
                    rows.append([month, ward, offence, n])
    return rows


DA_SOURCES = ["Police", "Health", "Children's services", "Self-referral", "Voluntary sector"]
RISK_LEVELS = ["Standard", "Medium", "High"]


def domestic_abuse_referrals(area: DemoArea, rng: random.Random) -> list[list]:
    rows = []
    per_month = area.population / 1000 * 1.4
    for month in DEMO_MONTHS:
        first = dt.date(int(month[:4]), int(month[5:7]), 1).strftime("%d/%m/%Y")
        for source, source_share in zip(DA_SOURCES, (0.55, 0.12, 0.13, 0.1, 0.1), strict=True):
            for risk, risk_share in zip(RISK_LEVELS, (0.5, 0.35, 0.15), strict=True):
                n = _poisson(rng, per_month * _season(month, 0.1, 12) * source_share * risk_share)
                rows.append([first, area.lad_code, source, risk, n])
    return rows


DEMO_NOTE = "Demo data: invented values, not real figures. "

DATASETS: list[DemoDataset] = [
    DemoDataset(
        slug="repeat-missing-children",
        name="Repeat missing children",
        description=DEMO_NOTE + "Children reported missing more than once in the quarter, by ward "
        "of residence and age group (children's social care).",
        schema={
            "granularity": "quarter",
            "area_level": "ward",
            "columns": [
                _column("Quarter", "period"),
                _column("Ward code", "area"),
                _column("Age group", "category", AGE_MISSING),
                _column("Children", "count"),
            ],
        },
        sensitive=True,
        organisation="{place} Council",
        file_format="csv",
        generate=repeat_missing_children,
    ),
    DemoDataset(
        slug="first-time-entrants",
        name="First-time entrants to the youth justice system",
        description=DEMO_NOTE + "Young people aged 10 to 17 receiving their first caution or "
        "conviction, per quarter (youth justice service).",
        schema={
            "granularity": "quarter",
            "area_level": "partnership",
            "columns": [
                _column("Quarter", "period"),
                _column("Local authority code", "area"),
                _column("Age group", "category", ["10 to 14", "15 to 17"]),
                _column("Sex", "category", ["Female", "Male"]),
                _column("Entrants", "count"),
            ],
        },
        sensitive=False,
        organisation="Probation Service",
        file_format="csv-excel",
        generate=first_time_entrants,
    ),
    DemoDataset(
        slug="exploitation-intelligence",
        name="CSE and CCE intelligence reports",
        description=DEMO_NOTE + "Intelligence reports about child sexual exploitation (CSE) and "
        "child criminal exploitation (CCE), by ward and source, per month.",
        schema={
            "granularity": "month",
            "area_level": "ward",
            "columns": [
                _column("Month", "period"),
                _column("Ward code", "area"),
                _column("Exploitation type", "category", EXPLOITATION),
                _column("Source", "category", SOURCES_CSE),
                _column("Reports", "count"),
            ],
        },
        sensitive=True,
        organisation="South Yorkshire Police",
        file_format="csv",
        generate=exploitation_reports,
    ),
    DemoDataset(
        slug="hate-incidents",
        name="Hate incidents and outcomes",
        description=DEMO_NOTE + "One row per hate incident, by LSOA, monitored strand and outcome. "
        "The incident reference stays in the file and is not stored.",
        schema={
            "granularity": "month",
            "area_level": "lsoa",
            "columns": [
                _column("Date", "period"),
                _column("LSOA code", "area"),
                _column("Strand", "category", STRANDS),
                _column("Outcome", "outcome", OUTCOMES, required=False),
                _column("Reference", "ignore", required=False),
            ],
        },
        sensitive=True,
        shared_with_scrutiny=True,  # the committee asked for it (seed 000)
        organisation="{place} Council",
        file_format="xlsx",
        generate=hate_incidents,
    ),
    DemoDataset(
        slug="knife-crime",
        name="Knife crime",
        description=DEMO_NOTE + "Offences involving a knife or sharp instrument, by ward and "
        "offence, per month (police recorded crime).",
        schema={
            "granularity": "month",
            "area_level": "ward",
            "columns": [
                _column("Month", "period"),
                _column("Ward code", "area"),
                _column("Offence", "category", KNIFE_OFFENCES),
                _column("Offences", "count"),
            ],
        },
        sensitive=False,
        organisation="South Yorkshire Police",
        file_format="csv-excel",
        generate=knife_crime,
    ),
    DemoDataset(
        slug="domestic-abuse-referrals",
        name="Domestic abuse referrals",
        description=DEMO_NOTE + "Referrals to domestic abuse services, by referral source and "
        "risk level, per month.",
        schema={
            "granularity": "month",
            "area_level": "partnership",
            "columns": [
                _column("Month", "period"),
                _column("Local authority code", "area"),
                _column("Referral source", "category", DA_SOURCES),
                _column("Risk level", "category", RISK_LEVELS),
                _column("Referrals", "count"),
            ],
        },
        sensitive=True,
        organisation="Voluntary Action {place}",
        file_format="xlsx",
        generate=domestic_abuse_referrals,
    ),
]


def seed_for(partnership_slug: str, dataset_slug: str) -> int:
    """A fixed seed per partnership and dataset (not Python's salted ``hash``)."""
    digest = hashlib.sha256(
        f"saferstat-demo:{partnership_slug}:{dataset_slug}".encode()
    ).hexdigest()
    return int(digest[:12], 16)


def generate(spec: DemoDataset, area: DemoArea, partnership_slug: str) -> list[list]:
    """The invented rows of one dataset for one partnership (the same every time)."""
    return spec.generate(area, random.Random(seed_for(partnership_slug, spec.slug)))


def write_file(spec: DemoDataset, rows: list[list], folder: Path, partnership_slug: str) -> Path:
    """Write the rows as the partner would send them: CSV, Excel-style CSV or XLSX."""
    stem = f"demo-{partnership_slug}-{spec.slug}"
    if spec.file_format == "xlsx":
        import openpyxl

        path = folder / f"{stem}.xlsx"
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Data"
        sheet.append(spec.header)
        for row in rows:
            sheet.append(row)
        if spec.schema["columns"][0]["type"] == "period":
            for cell in sheet["A"][1:]:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "DD/MM/YYYY"
        notes = book.create_sheet("About")  # only the first sheet is read
        notes.append(["Demo data: invented values, not real figures."])
        book.save(path)
        return path
    path = folder / f"{stem}.csv"
    excel = spec.file_format == "csv-excel"
    with path.open("w", encoding="utf-8-sig" if excel else "utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n" if excel else "\n")
        writer.writerow(spec.header)
        writer.writerows(rows)
    return path


# --- loading (Django) ------------------------------------------------------------------


def demo_area(partnership) -> DemoArea:
    """Wards and LSOAs of a partnership, with Census 2021 population, from the warehouse."""
    from saferstat.analytics import measures, warehouse

    from .. import figures

    with warehouse.connect(figures.warehouse_root()) as con:
        codes = measures.expand_area_codes(con, partnership.lad_codes)
        wards = [(code, pop) for code, _name, pop in measures.ward_populations(con, codes)]
        marks = ", ".join("?" for _ in codes)
        lsoas = con.execute(
            f"""
            SELECT l.lsoa21_code, coalesce(p.population, 0) FROM lsoa_lookup l
            LEFT JOIN lsoa21_population p USING (lsoa21_code)
            WHERE l.lsoa_vintage = 2021 AND l.lad_code IN ({marks}) ORDER BY 1
            """,
            list(codes),
        ).fetchall()
    return DemoArea(partnership.lad_codes[0], wards, [(c, int(p)) for c, p in lsoas])


def _loaded_periods(dataset) -> set[str]:
    from saferstat.analytics import partner, warehouse

    from .. import figures

    with warehouse.connect(figures.warehouse_root()) as con:
        granularity = dataset.dataset_schema().granularity
        return set(partner.loaded_periods(con, dataset.warehouse_dataset, granularity=granularity))


def demo_partner_install(slugs: tuple[str, ...] = DEMO_PARTNERSHIPS) -> list[str]:
    """Declare and load the demo datasets of each partnership; safe to run again.

    A dataset whose demo periods are all loaded is left alone. Needs the demo partnerships
    and users (``manage.py demo_setup``) and the ONS reference data in the warehouse.

    Returns:
        One line per dataset saying what happened.
    """
    from django.core.files import File

    from saferstat.core.models import Organisation, Partnership, User

    from ..jobs import ImportStatus
    from .models import PartnerDataset
    from .services import (
        partner_dataset_declare,
        partner_upload_create,
        partner_upload_execute,
    )

    report = []
    with tempfile.TemporaryDirectory(prefix="saferstat-demo-partner-") as tmp:
        folder = Path(tmp)
        for slug in slugs:
            partnership = Partnership.objects.prefetch_related("areas").get(slug=slug)
            admin = User.objects.get(username=f"{slug}-admin")
            analyst = User.objects.get(username=f"{slug}-analyst")
            place = partnership.areas.all()[0].name
            area = demo_area(partnership)
            for spec in DATASETS:
                dataset = PartnerDataset.objects.filter(
                    partnership=partnership, slug=spec.slug
                ).first()
                if dataset is None:
                    organisation = Organisation.objects.filter(
                        partnership=partnership, name=spec.organisation.format(place=place)
                    ).first()
                    dataset = partner_dataset_declare(
                        partnership=partnership,
                        by=admin,
                        name=spec.name,
                        slug=spec.slug,
                        description=spec.description,
                        schema=spec.schema,
                        sensitive=spec.sensitive,
                        shared_with_scrutiny=spec.shared_with_scrutiny,
                        organisation=organisation,
                        is_demo=True,
                    )
                expected = set(
                    DEMO_QUARTERS if spec.schema["granularity"] == "quarter" else DEMO_MONTHS
                )
                if expected <= _loaded_periods(dataset):
                    report.append(f"{slug}: {spec.name}: already loaded")
                    continue
                path = write_file(spec, generate(spec, area, slug), folder, slug)
                with path.open("rb") as handle:
                    run = partner_upload_create(
                        dataset=dataset, by=analyst, upload=File(handle, name=path.name)
                    )
                run = partner_upload_execute(upload_id=run.pk)  # a no-op if the task already ran
                if run.status != ImportStatus.SUCCEEDED:
                    raise RuntimeError(f"demo file {path.name} was refused: {run.errors[:5]}")
                report.append(
                    f"{slug}: {spec.name}: {run.rows_loaded:,} rows, {len(run.periods)} periods"
                )
    return report
