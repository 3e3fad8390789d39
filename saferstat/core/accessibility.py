"""The default accessibility statement, in the sections of the GOV.UK model statement
(https://www.gov.uk/government/publications/sample-accessibility-statement).

The known problems below come from the automated walk (axe-core on every page at 1200 and
320 pixels, tests/e2e/test_accessibility_every_page.py, which finds none today) and from
manual checks of what axe cannot judge. A council running SaferStat saves its own copy
(its name, its contact, its dates, its own tests) through the edit page.
"""

from __future__ import annotations

import datetime as dt

from .models import AccessibilityStatement, ComplianceStatus

#: When the default text below was written and checked against the software.
PREPARED_ON = dt.date(2025, 6, 30)

ENFORCEMENT = (
    "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
    "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
    "Regulations 2018 (the 'accessibility regulations'). If you're not happy with how we "
    "respond to your complaint, contact the Equality Advisory and Support Service (EASS): "
    "https://www.equalityadvisoryservice.com/\n\n"
    "In Northern Ireland, contact the Equality Commission for Northern Ireland: "
    "https://www.equalityni.org/"
)

NON_COMPLIANCE = (
    "- You are signed out after 8 hours without a warning, and the sign-in code step "
    "ends after a few minutes; you cannot extend either time. This fails WCAG 2.2 success "
    "criterion 2.2.1 (timing adjustable). We plan to warn before the session ends and let "
    "you extend it.\n"
    "- After 5 wrong passwords or sign-in codes, an account is locked for 30 minutes. This "
    "protects the service and is not a WCAG failure, but it can affect people who find "
    "typing codes hard: your administrator can unlock your account.\n"
    "- The maps in the crime explorer show rates by colour. The same figures are always in "
    "the table beside each map, but the map itself cannot be used without sight and cannot "
    "be reached area by area with a keyboard (WCAG 2.2 success criteria 1.1.1 and 2.1.1 "
    "for the map alone).\n"
    "- The site administration pages (the Django admin, used only by site administrators) "
    "are not styled like the rest of the service and are not in the automated checks."
)


def default_statement() -> AccessibilityStatement:
    """An unsaved statement holding the default text."""
    return AccessibilityStatement(
        organisation="The council that runs this SaferStat service",
        compliance_status=ComplianceStatus.PARTIAL,
        non_compliance=NON_COMPLIANCE,
        disproportionate_burden="We are not claiming disproportionate burden for any content.",
        out_of_scope=(
            "Crime data files downloaded from police.uk and documents that partners upload "
            "(for example agenda papers linked from a meeting) are not produced by this "
            "service and may not be accessible; ask us for them in another format."
        ),
        report_a_problem=(
            "If you need information on this service in a different format, such as "
            "accessible PDF, large print, easy read or audio, or if you find a problem not "
            "listed on this page, tell your partnership's SaferStat administrator, or email "
            "the council's web team. We'll consider your request and get back to you in 5 "
            "working days."
        ),
        enforcement=ENFORCEMENT,
        improvements=(
            "Every change to the software is checked automatically with axe-core on every "
            "page at desktop and mobile widths before it is released, and charts always come "
            "with a table of their figures. Published reports are made as tagged PDF "
            "(PDF/UA-1). We review this statement with each release."
        ),
        testing=(
            "Every page of the service is tested automatically with axe-core (WCAG 2.2 A "
            "and AA rules) at 1200 and 320 pixels wide, each time the software changes; the "
            "tests also check that no page runs wider than the window at 320 pixels (WCAG "
            "1.4.10 reflow). The problems listed above were found by checking by hand what "
            "the automated tests cannot judge: time limits, maps and the administration "
            "pages.\n\n"
            "No audit by an accessibility specialist and no test with screen reader users "
            "has been recorded yet. The council running this service records its own tests "
            "here."
        ),
        prepared_on=PREPARED_ON,
        reviewed_on=PREPARED_ON,
        tested_on=PREPARED_ON,
    )
