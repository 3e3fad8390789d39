"""The demo strategic assessment for Rotherham 2025/26 (docs/assessment.md).

Everything here is written through the services, so it is audited. The scores, the
consultation's responses and the tension reports are INVENTED for the demonstration and
labelled so on every page (``is_demo``); the evidence links point at real police.uk explorer
views and the demo partner datasets. Scorers are the demo analyst and Board member (roles,
not people); the analyst proposes the plan refresh and the demo admin applies it.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from saferstat.core.models import Partnership, User
from saferstat.intelligence.models import PartnerDataset
from saferstat.intelligence.requests.services import saved_view_create
from saferstat.plan.selectors import plan_current

from . import selectors, services
from .models import Assessment, CandidateIssue

YEAR = "2025/26"
#: issue, explorer query (police.uk evidence) or partner dataset slug, a planted view of the
#: issue: harm, community harm, volume, trend, public concern, capacity gap.
ISSUES = [
    ("Domestic abuse", None, "domestic-abuse-referrals", (5, 4, 5, 3, 3, 3)),
    (
        "Knife crime",
        "view=trend&crime_type=Possession+of+weapons",
        "knife-crime",
        (5, 4, 3, 4, 4, 3),
    ),
    (
        "Anti-social behaviour",
        "view=trend&crime_type=Anti-social+behaviour",
        None,
        (2, 4, 5, 2, 5, 2),
    ),
    ("Hate crime", None, "hate-incidents", (4, 5, 2, 4, 3, 4)),
    ("Modern slavery", None, None, (5, 3, 1, 3, 2, 5)),
    ("Child criminal exploitation", None, "exploitation-intelligence", (5, 4, 2, 4, 3, 4)),
    (
        "Serious violence",
        "view=trend&crime_type=Violence+and+sexual+offences",
        None,
        (5, 4, 4, 3, 4, 3),
    ),
]
KEYS = ("harm_individual", "harm_community", "volume", "trend", "public_concern", "capacity_gap")
#: Consultation respondents (invented): skewed the way seed 003 says real ones were, so the
#: groups not heard show: few young, disabled or minority ethnic respondents.
RESPONDENTS = 420
CONCERNS = [
    "Anti-social behaviour",
    "Knife crime",
    "Domestic abuse",
    "Hate crime",
    "Serious violence",
]
#: Themes the demo consultation's free text is tagged with: the candidate issues and two
#: concerns that are not candidates.
EXTRA_THEMES = ["Speeding and road safety", "Drug dealing"]
#: Invented free-text answers (a share of respondents write one), by the theme they are about.
FREE_TEXT = {
    "Anti-social behaviour": [
        "Groups gathering by the shops most evenings, shouting and leaving litter",
        "Off-road bikes racing across the park after dark",
        "Fireworks set off in the street for weeks around bonfire night",
    ],
    "Knife crime": [
        "Young people say carrying a knife feels normal now",
        "Worried about my teenagers after hearing of a stabbing in town",
    ],
    "Domestic abuse": [
        "More help for people living with abuse at home, and somewhere safe to go",
    ],
    "Hate crime": [
        "Abuse shouted at neighbours because of how they dress",
    ],
    "Serious violence": [
        "Fights outside the bars at the weekend",
    ],
    "Speeding and road safety": [
        "Cars racing down our road at night",
        "No crossing near the school and drivers do not slow down",
    ],
    "Drug dealing": [
        "Dealing openly near the bus station in daylight",
        "Cannabis smell from a house on our street every night",
    ],
}
FREE_TEXT_SHARE = 0.3  # of respondents write something
TAGGED_SHARE = 0.85  # of those the demo analyst has tagged so far

#: How often each is named as the main concern: anti-social behaviour most (seed 003).
CONCERN_WEIGHTS = [34, 20, 16, 10, 20]
TENSION = [
    (
        3,
        "Town centre",
        "Local mosque congregation",
        "Neighbourhood policing team",
        "medium",
        "Graffiti on a community building after a national incident",
        "Rumours circulating online",
    ),
    (
        10,
        "Eastwood",
        "Roma families",
        "School safeguarding lead",
        "low",
        "Name-calling between pupils outside school",
        "Isolated; school already acting",
    ),
    (
        18,
        "Town centre",
        "Local mosque congregation",
        "Council community cohesion officer",
        "high",
        "Leaflets announcing a protest march",
        "A planned event could draw people from outside",
    ),
    (
        25,
        "Maltby",
        "Asylum seekers in temporary housing",
        "Housing provider",
        "medium",
        "Hostile comments in a residents' social media group",
        "Named address shared online",
    ),
    (
        40,
        "Dinnington",
        "LGBT+ residents",
        "Voluntary sector partner",
        "low",
        "Stickers removed and defaced",
        "No repeat in a fortnight",
    ),
    (
        60,
        "Rawmarsh",
        "Eastern European residents",
        "Neighbourhood policing team",
        "low",
        "Dispute between neighbours with racial abuse",
        "Resolved by mediation",
    ),
]


#: The demo document: section, text, embedded explorer views (title, query).
DOCUMENT = [
    (
        "picture",
        "Demo text: violence and possession of weapons drive the picture; anti-social "
        "behaviour is the most frequent concern.",
        [
            (
                "Possession of weapons: monthly trend (SPC)",
                "view=trend&crime_type=Possession+of+weapons",
            ),
            ("Harm estimate by crime type", "view=harm"),
        ],
    ),
    (
        "emerging",
        "Demo text: watch the wards whose rates are significantly above the borough's.",
        [("Wards: rates and hotspots", "view=wards")],
    ),
    (
        "gaps",
        "Demo text: no police.uk category separates domestic abuse, hate crime, modern "
        "slavery or child criminal exploitation; the partner datasets fill part of the gap.",
        [],
    ),
    (
        "public",
        "Demo text: the invented survey under-represents young, disabled and minority ethnic "
        "residents (see the consultation's coverage against the Census), so its headline "
        "figures are also shown reweighted to the population. Its free-text answers, tagged "
        "by theme, propose each issue's public concern score.",
        [],
    ),
]


def _document(assessment: Assessment, analyst: User, admin: User) -> str:
    """Write the demo document's sections, embed its views and sign it off (the views are
    frozen then); without police.uk data it stays a draft."""
    for key, text, views in DOCUMENT:
        services.section_text_set(assessment=assessment, by=analyst, key=key, text=text)
        for title, query in views:
            try:
                services.view_embed(
                    assessment=assessment, by=analyst, key=key, title=title, query=query
                )
            except ValidationError:
                return "a draft (no police.uk data loaded to embed views from)"
    try:
        services.sign_off(assessment=assessment, by=admin)
    except ValidationError:
        return "a draft (its views could not be frozen)"
    return "signed off by the admin, its views frozen"


def _consultation(assessment: Assessment, analyst: User, rng: random.Random, issue_names):
    """The demo consultation: invented respondents skewed as seed 003 describes, some with
    invented free text, most of it tagged by theme by the analyst. Returns it and how many
    answers are tagged."""
    partnership = assessment.partnership
    consultation = services.consultation_create(
        assessment=assessment,
        by=analyst,
        title="Community safety survey 2025 (demo)",
        starts_on=dt.date(2025, 1, 6),
        ends_on=dt.date(2025, 2, 28),
        methods="Online survey, drop-in sessions, partner networks (demo)",
        is_demo=True,
    )
    wards = selectors.ward_names(partnership)
    lines = ["age,sex,disability,ethnic_group,area,concern_theme,free_text"]
    for _ in range(RESPONDENTS):
        age = rng.choices(
            [rng.randint(16, 24), rng.randint(25, 49), rng.randint(50, 64), rng.randint(65, 90)],
            weights=[3, 35, 35, 27],
        )[0]
        sex = rng.choices(["Female", "Male", ""], weights=[58, 38, 4])[0]
        disability = rng.choices(["Disabled", "Not disabled", ""], weights=[9, 85, 6])[0]
        ethnic = rng.choices(
            [
                "White",
                "Asian, Asian British or Asian Welsh",
                "Black, Black British, Black Welsh, Caribbean or African",
                "Mixed or Multiple ethnic groups",
                "",
            ],
            weights=[93, 1.5, 0.5, 1, 4],
        )[0]
        area = rng.choice(wards) if wards and rng.random() < 0.8 else ""
        concern = rng.choices(CONCERNS, weights=CONCERN_WEIGHTS)[0]
        text = ""
        if rng.random() < FREE_TEXT_SHARE:
            theme = rng.choice(sorted(FREE_TEXT))
            text = f"{rng.choice(FREE_TEXT[theme])} (demo)"
        lines.append(f'{age},{sex},{disability},"{ethnic}","{area}",{concern},"{text}"')
    services.responses_import(
        consultation=consultation,
        by=analyst,
        text="\n".join(lines) + "\n",
        areas=wards,
        themes=list(issue_names),
    )
    services.consultation_themes_set(
        consultation=consultation, by=analyst, themes=[*issue_names, *EXTRA_THEMES]
    )
    by_text = {
        f"{phrase} (demo)": theme for theme, phrases in FREE_TEXT.items() for phrase in phrases
    }
    tagged = 0
    for response in consultation.responses.exclude(free_text="").order_by("pk"):
        if rng.random() >= TAGGED_SHARE:
            continue  # not read yet: left for the analyst
        tags = [by_text[response.free_text]]
        if tags[0] == "Drug dealing" and rng.random() < 0.5:
            tags.append("Anti-social behaviour")  # one answer can be about two themes
        services.response_tag(response=response, by=analyst, tags=tags)
        tagged += 1
    return consultation, tagged


def _user(slug: str, role: str) -> User:
    return User.objects.get(username=f"{slug}-{role}")


def demo_assessment_install(slug: str = "rotherham") -> list[str]:
    """Create the demo assessment once (running again leaves it as it is)."""
    partnership = Partnership.objects.get(slug=slug)
    if Assessment.objects.filter(partnership=partnership, year=YEAR).exists():
        return [f"The {YEAR} demo assessment is already there; nothing changed."]
    admin, analyst, board = (_user(slug, r) for r in ("admin", "analyst", "board"))
    rng = random.Random(2025)
    assessment = services.assessment_create(
        partnership=partnership,
        by=analyst,
        year=YEAR,
        title=f"Strategic assessment {YEAR} (demo)",
        is_demo=True,
    )
    datasets = {d.slug: d for d in PartnerDataset.objects.filter(partnership=partnership)}
    issues: list[tuple[CandidateIssue, list[int], tuple]] = []
    for name, query, dataset_slug, planted in ISSUES:
        crime_types = [
            v.replace("+", " ")
            for k, v in (p.split("=", 1) for p in (query or "").split("&") if p)
            if k == "crime_type"
        ]
        issue = services.issue_add(
            assessment=assessment, by=analyst, name=name, crime_types=crime_types
        )
        if crime_types:
            try:  # scores proposed from the police.uk data, their evidence frozen
                services.proposals_make(issue=issue, by=analyst)
            except ValidationError:
                pass  # no police.uk data loaded: nothing to propose from
        cited = []
        if query:
            view = saved_view_create(
                partnership=partnership,
                by=analyst,
                title=f"{name}: police.uk trend with SPC",
                query=f"{query}&period=2024/25",
            )
            cited.append(
                services.evidence_add(issue=issue, by=analyst, kind="view", saved_view=view).pk
            )
        if dataset_slug in datasets:
            cited.append(
                services.evidence_add(
                    issue=issue, by=analyst, kind="dataset", dataset=datasets[dataset_slug]
                ).pk
            )
        cited.append(
            services.evidence_add(
                issue=issue,
                by=analyst,
                kind="document",
                title=f"Joint strategic intelligence assessment: {name.lower()} chapter (demo)",
                url="https://example.org/demo/joint-strategic-intelligence-assessment",
            ).pk
        )
        issues.append((issue, cited, planted))
    consultation, tagged = _consultation(assessment, analyst, rng, [i.name for i, _, _ in issues])
    # public concern proposed from the responses (named concerns and tagged free text)
    services.concern_propose_all(assessment=assessment, by=analyst)
    for issue, cited, planted in issues:
        for scorer in (analyst, board):
            values = {
                k: max(1, min(5, v + rng.choice((-1, 0, 0, 0, 1))))
                for k, v in zip(KEYS, planted, strict=True)
            }
            concern = issue.proposals.filter(dimension="public_concern").first()
            if scorer is analyst and concern is not None:
                values["public_concern"] = concern.points  # the analyst accepts the proposal
            if scorer is board and issue.name == "Anti-social behaviour":
                values["public_concern"] = 2  # a planted disagreement (3 points) to discuss
            services.sheet_save(
                issue=issue,
                by=scorer,
                values=values,
                reasons={k: "Demo score: invented for the demonstration" for k in KEYS},
                evidence={k: cited for k in KEYS},
                overrides={
                    k: "Demo override: invented for the demonstration (local knowledge)"
                    for k in KEYS
                },
                submit=True,
            )
    today = timezone.localdate()
    for days, area, community, source, level, description, reasons in TENSION:
        report = services.tension_report_create(
            partnership=partnership,
            by=analyst,
            reported_on=today - dt.timedelta(days=days),
            area=area,
            community=community,
            source=source,
            description=f"{description} (demo)",
            level=level,
            reasons=reasons,
            is_demo=True,
        )
        services.tension_action_add(
            report=report,
            by=analyst,
            text="Reassurance visits and a partner briefing (demo)",
            owner_role="Neighbourhood inspector",
            review_on=today - dt.timedelta(days=days) + dt.timedelta(days=14),
        )
    signed = _document(assessment, analyst, admin)
    lines_out = [
        f"{assessment.title}: {len(issues)} issues scored by the analyst and the Board member",
        f"The assessment document: {signed}",
        f"{RESPONDENTS} invented consultation responses, {tagged} free-text answers tagged by "
        f"theme, public concern proposed from them; {len(TENSION)} tension reports (demo)",
    ]
    plan = plan_current(partnership=partnership)
    if plan is not None:
        ranking = [r for r in selectors.ranking(assessment) if r.ranked]
        for row in ranking[:4]:
            services.issue_choose(issue=row.issue, by=analyst, chosen=True)
        refresh = services.refresh_propose(
            assessment=assessment,
            plan=plan,
            by=analyst,
            label=f"{YEAR} refresh from the strategic assessment",
            ranked={r.issue.key: r.ranked.rank for r in ranking},
        )
        services.refresh_review(refresh=refresh, by=admin, approve=True)
        lines_out.append(f"{plan.title}: version {plan.version + 1} made from the top four issues")
    return lines_out
