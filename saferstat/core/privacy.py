"""The default privacy notice: what a partnership's notice says until its admin saves one.

It describes what SaferStat itself holds, so it is true of a fresh install; the admin must
still name the data protection officer and check the retention periods against the
partnership's records retention schedule (the page says so until the notice is saved).
Text is plain: a blank line starts a paragraph, lines starting "- " make a bulleted list,
addresses and web links become links (`core.templatetags.saferstat` `plain_text`).
"""

from __future__ import annotations

from .models import Organisation, Partnership, PrivacyNotice

#: The fields of a notice, in the order the page shows them, with their headings.
SECTIONS: list[tuple[str, str]] = [
    ("controller", "Who we are"),
    ("purposes", "What personal data we hold and why"),
    ("lawful_basis", "Our lawful basis"),
    ("retention", "How long we keep it"),
    ("rights", "Your rights"),
    ("contact", "Contact us"),
]


def _lead_council(partnership: Partnership) -> str:
    council = (
        Organisation.objects.filter(partnership=partnership, kind="council")
        .order_by("-is_responsible_authority", "name")
        .values_list("name", flat=True)
        .first()
    )
    return council or "the partnership's lead council"


def default_notice(partnership: Partnership) -> PrivacyNotice:
    """An unsaved notice holding the default text for `partnership`."""
    name = partnership.name
    council = _lead_council(partnership)
    return PrivacyNotice(
        partnership=partnership,
        controller=(
            f"{name} is a Community Safety Partnership under the Crime and Disorder Act "
            f"1998. The partnership's responsible authorities are joint controllers of the "
            f"personal data recorded in SaferStat for {name}; {council} acts for them "
            "and answers any question or request about it.\n\n"
            "SaferStat is the software the partnership uses to analyse crime and "
            "anti-social behaviour, plan its work and account for it."
        ),
        purposes=(
            "We hold personal data only where a statutory duty of the partnership needs it:\n\n"
            "- applications for an anti-social behaviour case review: the applicant's name "
            "and contact details, where the behaviour happened, the complaints made and the "
            "review's decisions and recommendations, so that we can run the review and tell "
            "the applicant the outcome;\n"
            "- councillor calls for action: the councillor's name and the matter raised;\n"
            "- answers to our community safety consultations, and the age, sex, ethnicity "
            "and area people chose to give, so that we know whose views we heard;\n"
            "- community tension reports, which may name places, groups and, rarely, "
            "people, so that partners can act on rising tension;\n"
            "- the names, roles and organisations of the people who use SaferStat, their "
            "attendance at meetings, and a log of what each of them changed, so that the "
            "partnership can account for its decisions.\n\n"
            "Crime figures come from police.uk and contain no names. We do not sell personal "
            "data, use it for marketing, or make decisions about people by automated means."
        ),
        lawful_basis=(
            "We hold this personal data to perform tasks in the public interest and to "
            "exercise official authority (UK GDPR article 6(1)(e)): the duties of the Crime "
            "and Disorder Act 1998 (sections 5 to 7, 17 and 115), the anti-social behaviour "
            "case review (Anti-social Behaviour, Crime and Policing Act 2014, section 104 "
            "and schedule 4) and the councillor call for action (Police and Justice Act "
            "2006, section 19).\n\n"
            "Information about health, ethnicity, religion or alleged offences is held "
            "for reasons of substantial public interest (UK GDPR articles 9(2)(g) and 10; "
            "Data Protection Act 2018, schedule 1, paragraph 6: statutory and government "
            "purposes), under the partnership's appropriate policy document."
        ),
        retention=(
            "We keep personal data only as long as the duty needs it. When a record's "
            "period ends, SaferStat erases the personal details and keeps only anonymous "
            "counts (for example, how many case reviews were held in a year):\n\n"
            "- case review applications and calls for action: 6 years after the case is "
            "closed;\n"
            "- consultation answers: 2 years after the consultation closed;\n"
            "- community tension reports: 2 years after the report's date;\n"
            "- user accounts: until the person leaves the partnership (the site "
            "administrator closes the account); the log of changes they made is kept.\n\n"
            "These are SaferStat's default periods: check them against the partnership's "
            "records retention schedule before saving this notice."
        ),
        rights=(
            "You have the right to:\n\n"
            "- be told how we use your personal data (this notice);\n"
            "- ask for a copy of the personal data we hold about you;\n"
            "- ask us to correct it if it is wrong;\n"
            "- ask us to erase it, or to restrict how we use it, where the law allows;\n"
            "- object to our use of it.\n\n"
            "We answer within one month. If you are unhappy with how we used your data or "
            "answered you, you can complain to the Information Commissioner's Office: "
            "https://ico.org.uk/make-a-complaint/ or 0303 123 1113."
        ),
        contact=(
            f"Write to the data protection officer of {council}, saying that your question "
            f"is about {name}. Their email and postal address are on the council's website; "
            "the partnership's admin adds them here when checking this notice."
        ),
    )
