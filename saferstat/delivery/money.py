"""Money in whole pence: parsed from what people type and written back as pounds. No
floats anywhere: "£1,234.50" is 123450 pence, and totals are sums of integers."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

ERR_MONEY = "Enter an amount in pounds, for example 12,500 or 12500.50."

_MONEY = re.compile(r"^£?\s*([0-9]{1,3}(,[0-9]{3}){1,3}|[0-9]{1,12})(\.[0-9]{1,2})?$")


def parse_pounds(text: object) -> int:
    """Pounds as typed ("£12,500", "12500.5") to whole pence; ValueError when it is not an
    amount of money (negative, more than two decimal places, words, floats' exponents)."""
    if isinstance(text, bool) or isinstance(text, float):
        raise ValueError(ERR_MONEY)
    if isinstance(text, int):
        if text < 0:
            raise ValueError(ERR_MONEY)
        return text * 100
    raw = str(text or "").strip()
    if not _MONEY.match(raw):
        raise ValueError(ERR_MONEY)
    try:
        pounds = Decimal(raw.lstrip("£").strip().replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern already refuses these
        raise ValueError(ERR_MONEY) from exc
    return int(pounds * 100)


def pounds(pence: int | None) -> str:
    """Whole pence as pounds: 11800000 -> "£118,000"; 1250 -> "£12.50"; None -> "–"."""
    if pence is None:
        return "–"
    sign = "-" if pence < 0 else ""
    whole_pounds, rest = divmod(abs(int(pence)), 100)
    if rest == 0:
        return f"{sign}£{whole_pounds:,}"
    return f"{sign}£{whole_pounds:,}.{rest:02d}"


def split_pence(pence: int, parts: int) -> list[int]:
    """Share whole pence equally between ``parts``: the odd pence go one each to the first
    shares, so the shares add up to exactly ``pence`` (10001 in 3 -> 3334, 3334, 3333)."""
    if isinstance(pence, bool) or not isinstance(pence, int) or parts < 1:
        raise ValueError("Split whole pence into one or more parts.")
    base, odd = divmod(pence, parts)
    return [base + (1 if i < odd else 0) for i in range(parts)]
