"""``manage.py build_report KIND --partnership SLUG --year 2024/25 [--quarter 2024/25-Q4]
[--ward NAME] [--public] --out DIR``: the same build as the pages, from the command line.
KIND ``assessment`` writes the partnership's signed strategic assessment document for the
year as it was signed off (its frozen figures, the assessment app's own print rendering).

Writes report.html, report.pdf, annex.xlsx, annex.ods and annex.csv into DIR; stores
nothing (a version is made from the pages or the scheduled job). Exits non-zero with a
clear message when it cannot build."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from saferstat.analytics.periods import PeriodError, parse_period


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument(
            "kind",
            choices=["annual", "scrutiny-pack", "quarterly", "ward-profile", "assessment"],
        )
        parser.add_argument("--partnership", required=True, help="The partnership's slug")
        parser.add_argument("--year", required=True, help="The financial year, e.g. 2024/25")
        parser.add_argument("--quarter", default="", help="For quarterly: e.g. 2024/25-Q4")
        parser.add_argument("--ward", default="", help="For ward-profile: the ward's name")
        parser.add_argument(
            "--public", action="store_true", help="The disclosure-controlled version"
        )
        parser.add_argument("--out", required=True, help="The folder to write into")

    def handle(self, *args, kind, partnership, year, quarter, ward, public, out, **options):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        from saferstat.core.models import Partnership
        from saferstat.reports import render, selectors
        from saferstat.reports.models import Report

        try:
            found = Partnership.objects.get(slug=partnership)
        except Partnership.DoesNotExist:
            raise CommandError(f"No partnership {partnership!r}.") from None
        try:
            fy = parse_period(year, kinds=("financial_year",)).label
            period = fy
            if kind == "quarterly":
                if not quarter:
                    raise CommandError("A quarterly report needs --quarter, e.g. 2024/25-Q4.")
                period = parse_period(quarter, kinds=("quarter",)).label
                if not period.startswith(fy):
                    raise CommandError(f"{period} is not in {fy}.")
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        if kind == "assessment":
            self._assessment(found, fy, Path(out))
            return
        if kind == "ward-profile":
            names = selectors.ward_names(found)
            match = [n for n in names if n.casefold() == ward.casefold()]
            if not match:
                raise CommandError(
                    f"{ward!r} is not a ward of {found.name}"
                    + (f" (for example {names[0]})." if names else "; no ward data is loaded.")
                )
            ward = match[0]
        report = Report(
            partnership=found,
            kind=kind,
            period=period,
            ward=ward,
            title=f"{found.name} {ward + ' ward profile' if ward else kind.replace('-', ' ')} "
            f"{period}",
        )
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()
        ) as progress:
            task = progress.add_task("Building", total=None)

            def step(done: int, total: int, label: str) -> None:
                progress.update(task, completed=done, total=total, description=label)

            sections = selectors.build_sections(report, step)
        if public:
            sections, suppressions = selectors.disclose(
                sections, selectors.policy_for(found), months=selectors.report_months(report)
            )
            self.stdout.write(f"{len(suppressions)} figure(s) hidden or withheld.")
        (folder / "report.html").write_text(
            render.print_html(report, sections, public=public), encoding="utf-8"
        )
        (folder / "report.pdf").write_bytes(render.pdf_bytes(report, sections, public=public))
        for fmt in ("xlsx", "ods", "csv"):
            (folder / f"annex.{fmt}").write_bytes(render.annex(report, sections, fmt))
        self.stdout.write(f"Wrote report.html, report.pdf and the annex to {folder}.")

    def _assessment(self, partnership, year: str, folder: Path) -> None:
        """The partnership's signed strategic assessment document for the year, as it was
        signed off: its HTML, its PDF (the document's own print rendering) and the annex of
        its frozen figures. Nothing is computed again."""
        from django.conf import settings

        from saferstat.assessment import printing
        from saferstat.reports import render

        assessment = printing.signed_document(partnership, year)
        if assessment is None:
            raise CommandError(
                f"{partnership.name} has no signed-off strategic assessment for {year}: "
                "sign the document off on its page first."
            )
        sections = printing.document_sections(assessment)
        site = settings.SAFERSTAT_SITE_URL
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.html").write_text(
            printing.print_html(assessment, site=site, sections=sections), encoding="utf-8"
        )
        (folder / "report.pdf").write_bytes(
            printing.pdf_bytes(assessment, site=site, sections=sections)
        )
        for fmt in ("xlsx", "ods", "csv"):
            (folder / f"annex.{fmt}").write_bytes(
                render.assessment_annex(assessment, sections, fmt)
            )
        self.stdout.write(
            f"Wrote {assessment.title} (signed off {assessment.signed_off_at:%-d %B %Y}): "
            f"report.html, report.pdf and the annex to {folder}."
        )
