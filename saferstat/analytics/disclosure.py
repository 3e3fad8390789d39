"""Disclosure control for published counts (DESIGN.md section 5, DOMAIN.md section 7).

Pure Python, no Django. The default policy follows NHS Digital's rule for HES/ECDS: 0 stays
0, counts of 1 to 7 are shown as ``*``, other counts are rounded to the nearest 5. Totals are
counts too and follow the same rule. Secondary suppression then makes sure no row or column
total lets a suppressed cell be worked out: every line (a row or a column with its total)
holds either no suppressed entry or at least two, so subtracting the published cells from a
published total never isolates one hidden cell.

It applies to counts from sensitive themes (domestic abuse, sexual offences, child sexual
or criminal exploitation, hate crime, modern slavery): `is_sensitive` decides from a name.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

SUPPRESSED = "*"

#: Words that mark a theme, priority, indicator or crime category as sensitive.
SENSITIVE_PATTERNS = (
    r"domestic (abuse|violence)",
    r"sexual",
    r"\bcse\b",
    r"\bcce\b",
    r"child (sexual|criminal) exploitation",
    r"child exploitation",
    r"\bhate\b",
    r"modern slavery",
    r"trafficking",
    r"\brape\b",
    r"stalking",
)
_SENSITIVE = re.compile("|".join(SENSITIVE_PATTERNS), re.IGNORECASE)


def is_sensitive(*names: str) -> bool:
    """True when any of the names (theme, priority, indicator, category) is a sensitive theme.

    >>> is_sensitive("Tackling domestic abuse"), is_sensitive("Anti-social behaviour")
    (True, False)
    """
    return any(_SENSITIVE.search(name or "") for name in names)


@dataclass(frozen=True)
class Policy:
    """A partnership's disclosure rule: counts from ``1`` to ``threshold`` are suppressed,
    others rounded to the nearest ``base``."""

    threshold: int = 7
    base: int = 5

    def describe(self) -> str:
        return (
            f"0 stays 0; counts of 1 to {self.threshold} are shown as {SUPPRESSED}; other "
            f"counts are rounded to the nearest {self.base}; a second cell is hidden wherever "
            "a total would let a hidden one be worked out."
        )

    def as_dict(self) -> dict[str, int]:
        return {"threshold": self.threshold, "base": self.base}

    @property
    def hidden_words(self) -> str:
        """What a ``*`` stands for, for a reader."""
        return f"a count of 1 to {self.threshold}, not shown"


DEFAULT_POLICY = Policy()

#: A sensitive theme is published over no less than 12 months (DOMAIN.md section 7):
#: a public report over a shorter period withholds its sensitive counts.
SENSITIVE_MIN_MONTHS = 12
#: The bounds a partnership's own rule must keep to: never weaker than the old HES rule
#: (1 to 5 suppressed), never so strict that nothing is published; rounding to 5 or 10.
MIN_THRESHOLD = 5
MAX_THRESHOLD = 50
BASES = (5, 10)


def policy_from(data: dict | None) -> Policy:
    """A policy from its stored form (``{"threshold": 7, "base": 5}``); the default when
    nothing is stored."""
    if not data:
        return DEFAULT_POLICY
    return Policy(threshold=int(data["threshold"]), base=int(data["base"]))


def policy_errors(threshold: int, base: int) -> dict[str, str]:
    """Why a partnership may not choose this rule (empty when it may)."""
    errors = {}
    if not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        errors["threshold"] = (
            f"Choose a threshold from {MIN_THRESHOLD} to {MAX_THRESHOLD}: counts from 1 to it "
            "are hidden."
        )
    if base not in BASES:
        errors["base"] = "Round to the nearest 5 or the nearest 10."
    return errors


def round_to(value: int, base: int) -> int:
    """Round half up to the nearest multiple of `base` (12.5 -> 15 for base 5)."""
    return int((value + base / 2) // base * base)


def publish_count(value: int | None, policy: Policy = DEFAULT_POLICY) -> int | str | None:
    """One count as published: ``None`` (no data) stays ``None``, 0 stays 0, 1 to the
    threshold becomes ``*``, anything else is rounded to the policy's base.

    >>> [publish_count(v) for v in (0, 1, 7, 8, 12, 13, 101)]
    [0, '*', '*', 10, 10, 15, 100]
    """
    if value is None:
        return None
    if value < 0:
        raise ValueError(f"A count cannot be negative: {value}")
    if value == 0:
        return 0
    if value <= policy.threshold:
        return SUPPRESSED
    return round_to(value, policy.base)


@dataclass(frozen=True)
class Suppression:
    """Why one entry of a table is shown as ``*``. ``row``/``column`` are indexes; ``None``
    stands for the total (so ``(None, None)`` is the grand total)."""

    row: int | None
    column: int | None
    reason: str  # "primary" (a count of 1 to the threshold) or "secondary"
    explanation: str


@dataclass
class ControlledTable:
    """A table of counts as published, with row totals, column totals and the grand total.

    Every published value is an int (rounded) or ``*``; ``suppressions`` lists each ``*``
    and why."""

    cells: list[list[int | str]]
    row_totals: list[int | str]
    column_totals: list[int | str]
    grand_total: int | str
    suppressions: list[Suppression] = field(default_factory=list)


def control_table(
    counts: list[list[int]],
    policy: Policy = DEFAULT_POLICY,
    *,
    totals: bool = True,
    withheld: Collection[tuple[int, int]] = (),
    withheld_reason: str = "withheld",
) -> ControlledTable:
    """Disclosure control on a table of counts (rows x columns) and its totals.

    Primary suppression: every cell or total from 1 to the threshold. Secondary: in each line
    (a row with its row total, a column with its column total, and the line of totals) that
    holds exactly one suppressed entry, the smallest other non-zero entry is suppressed too
    (the total itself when no cell is left); repeated until no line has exactly one. Zeros are
    never suppressed: hiding a zero would say nothing the total does not. Then every entry not
    suppressed is rounded. With ``totals=False`` no totals are published and only primary
    suppression applies.
    """
    n_rows = len(counts)
    n_cols = len(counts[0]) if counts else 0
    if any(len(row) != n_cols for row in counts):
        raise ValueError("Every row must have the same number of cells")
    if any(v < 0 for row in counts for v in row):
        raise ValueError("Counts cannot be negative")
    row_totals = [sum(row) for row in counts]
    col_totals = [sum(counts[r][c] for r in range(n_rows)) for c in range(n_cols)]
    grand = sum(row_totals)

    # Entries keyed (row, column) with None for a total.
    value: dict[tuple[int | None, int | None], int] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            value[(r, c)] = counts[r][c]
    if totals:
        for r in range(n_rows):
            value[(r, None)] = row_totals[r]
        for c in range(n_cols):
            value[(None, c)] = col_totals[c]
        value[(None, None)] = grand

    hidden: dict[tuple[int | None, int | None], Suppression] = {}
    for key, v in value.items():
        if 1 <= v <= policy.threshold:
            hidden[key] = Suppression(
                *key, "primary", f"a count of 1 to {policy.threshold} ({_where(key)})"
            )
    for key in withheld:
        if value.get(key, 0) > 0 and key not in hidden:
            hidden[key] = Suppression(*key, "primary", f"{withheld_reason} ({_where(key)})")

    if totals:
        lines: list[list[tuple[int | None, int | None]]] = []
        for r in [*range(n_rows), None]:
            lines.append([(r, c) for c in [*range(n_cols), None]])
        for c in [*range(n_cols), None]:
            lines.append([(r, c) for r in [*range(n_rows), None]])
        changed = True
        while changed:
            changed = False
            for line in lines:
                hidden_here = [k for k in line if k in hidden]
                if len(hidden_here) != 1:
                    continue
                candidates = [k for k in line if k not in hidden and value[k] > 0]
                cells = [k for k in candidates if None not in k]
                pool = cells or candidates
                if not pool:
                    continue  # the rest of the line is zeros: the total equals the hidden one
                pick = min(pool, key=lambda k: (value[k], k[0] is None, k[1] is None, str(k)))
                hidden[pick] = Suppression(
                    *pick,
                    "secondary",
                    f"hidden so that {_where(hidden_here[0])} cannot be worked out from the totals",
                )
                changed = True

    def shown(key) -> int | str:
        if key in hidden:
            return SUPPRESSED
        v = value[key]
        return 0 if v == 0 else round_to(v, policy.base)

    return ControlledTable(
        cells=[[shown((r, c)) for c in range(n_cols)] for r in range(n_rows)],
        row_totals=[shown((r, None)) for r in range(n_rows)] if totals else [],
        column_totals=[shown((None, c)) for c in range(n_cols)] if totals else [],
        grand_total=shown((None, None)) if totals else "",
        suppressions=sorted(hidden.values(), key=lambda s: (str(s.row), str(s.column))),
    )


def _where(key: tuple[int | None, int | None]) -> str:
    r, c = key
    if r is None and c is None:
        return "the grand total"
    if r is None:
        return f"the total of column {c + 1}"
    if c is None:
        return f"the total of row {r + 1}"
    return f"row {r + 1}, column {c + 1}"
