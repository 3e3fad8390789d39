"""Every cookie SaferStat sets, with its purpose and lifetime: the cookies page shows this
list, and tests/e2e/test_cookies.py checks it against what a real browser session receives.

All of them are strictly necessary (PECR regulation 6(4)(b)): signing in, protecting forms,
showing the message after a change. So the service asks no consent and shows no banner. A
cookie that is not strictly necessary (analytics, preferences) must not be added without a
consent mechanism, and the browser test fails if one appears that is not listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    lifetime: str
    essential: bool = True


def _hours(seconds: int) -> str:
    hours = seconds / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def _days(seconds: int) -> str:
    days = round(seconds / 86400)
    if days % 365 == 0:
        years = days // 365
        return f"{years} year" + ("" if years == 1 else "s")
    return f"{days} days"


def cookie_list() -> list[Cookie]:
    session_life = _hours(settings.SESSION_COOKIE_AGE)
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        session_life = f"until you close your browser, or {session_life}, whichever is sooner"
    return [
        Cookie(
            settings.SESSION_COOKIE_NAME,
            "Keeps you signed in as you move from page to page, and remembers for a few "
            "minutes that you passed the password step while you enter your sign-in code.",
            session_life,
        ),
        Cookie(
            settings.CSRF_COOKIE_NAME,
            "Protects forms against cross-site request forgery: a form sent from another "
            "website is refused.",
            _days(settings.CSRF_COOKIE_AGE),
        ),
        Cookie(
            "messages",
            "Carries a confirmation or error message (for example “The token was revoked”) "
            "to the next page you see after a change.",
            "until the next page shows the message",
        ),
    ]


def cookie_names() -> set[str]:
    return {cookie.name for cookie in cookie_list()}
