"""Disclosure control (saferstat/analytics/disclosure.py): the published rule on single
counts, primary and secondary suppression on constructed tables, and a property that no
published table lets a suppressed entry be worked out from its totals."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from saferstat.analytics.disclosure import (
    SUPPRESSED,
    Policy,
    control_table,
    is_sensitive,
    publish_count,
)


def test_single_counts_follow_the_rule():
    assert [publish_count(v) for v in (None, 0, 1, 5, 7, 8, 10, 12, 13, 101)] == [
        None,
        0,
        "*",
        "*",
        "*",
        10,
        10,
        10,
        15,
        100,
    ]
    assert publish_count(9, Policy(threshold=9, base=10)) == "*"
    assert publish_count(16, Policy(threshold=9, base=10)) == 20


def test_sensitive_themes_are_recognised():
    for name in (
        "Tackling domestic abuse",
        "Violence and sexual offences",
        "Preventing CSE",
        "Hate crime reports",
        "Modern slavery referrals",
    ):
        assert is_sensitive(name), name
    assert not is_sensitive("Anti-social behaviour", "Burglary")


def test_one_small_cell_in_a_row_hides_a_second_cell_and_the_column_partner():
    table = control_table([[3, 20, 40], [30, 25, 50]])
    # (0,0) is 3: primary. Its row and its column each need a second hidden entry.
    assert table.cells[0][0] == SUPPRESSED
    assert table.cells[0][1] == SUPPRESSED  # the smallest other cell of row 1
    assert table.cells[1][0] == SUPPRESSED or table.column_totals[0] == SUPPRESSED
    reasons = {(s.row, s.column): s.reason for s in table.suppressions}
    assert reasons[(0, 0)] == "primary"
    assert reasons[(0, 1)] == "secondary"
    # Cells not hidden are rounded to 5; the grand total 168 shows as 170.
    assert table.cells[1][2] == 50
    assert table.grand_total == 170


def test_zeros_stay_zero_and_a_small_total_is_hidden():
    table = control_table([[0, 0], [2, 0]])
    assert table.cells == [[0, 0], [SUPPRESSED, 0]]
    assert table.row_totals == [0, SUPPRESSED]
    assert table.column_totals == [SUPPRESSED, 0]
    assert table.grand_total == SUPPRESSED


def test_nothing_small_means_nothing_hidden():
    table = control_table([[10, 20], [30, 41]])
    assert table.suppressions == []
    assert table.cells == [[10, 20], [30, 40]]
    assert table.row_totals == [30, 70]


def _options(shown, bound: int, policy: Policy) -> range | list[int]:
    """What an entry shown as `shown` may truly be, as a reader of the table knows."""
    if shown == SUPPRESSED:
        return range(0, bound + 1)
    if shown == 0:
        return [0]
    half = policy.base // 2
    return [v for v in range(shown - half, shown + half + 1) if v > policy.threshold]


def _feasible_tables(table, n_rows, n_cols, bound, policy):
    """Every table of counts up to `bound` that publishes as `table` (rows, totals)."""
    rows = []
    for r in range(n_rows):
        row_options = []
        cell_options = [_options(table.cells[r][c], bound, policy) for c in range(n_cols)]
        total_options = set(_options(table.row_totals[r], bound * n_cols, policy))
        for combo in itertools.product(*cell_options):
            if sum(combo) in total_options:
                row_options.append(combo)
        rows.append(row_options)
    col_options = [set(_options(t, bound * n_rows, policy)) for t in table.column_totals]
    grand_options = set(_options(table.grand_total, bound * n_rows * n_cols, policy))
    for candidate in itertools.product(*rows):
        cols = [sum(candidate[r][c] for r in range(n_rows)) for c in range(n_cols)]
        if all(cols[c] in col_options[c] for c in range(n_cols)) and (sum(cols) in grand_options):
            yield candidate


BOUND = 16  # the largest count drawn (14) plus what rounding hides


def tables(max_rows: int, max_cols: int):
    return st.integers(min_value=1, max_value=max_rows).flatmap(
        lambda n_rows: st.integers(min_value=1, max_value=max_cols).flatmap(
            lambda n_cols: st.lists(
                st.lists(
                    st.sampled_from([0, 1, 2, 3, 5, 7, 8, 9, 12, 14]),
                    min_size=n_cols,
                    max_size=n_cols,
                ),
                min_size=n_rows,
                max_size=n_rows,
            )
        )
    )


small_tables = tables(2, 2)


@settings(max_examples=60, deadline=None)
@given(small_tables)
def test_no_suppressed_cell_can_be_recovered_from_the_totals(counts):
    """Property: for every hidden cell, the tables (with cells up to a bound, a stricter test
    than unbounded) that publish exactly as this one give it at least two different values;
    and no value from 1 to 7 is ever published."""
    policy = Policy()
    table = control_table(counts, policy)
    n_rows, n_cols = len(counts), len(counts[0])
    published = [
        *itertools.chain.from_iterable(table.cells),
        *table.row_totals,
        *table.column_totals,
        table.grand_total,
    ]
    assert not any(isinstance(v, int) and 1 <= v <= 7 for v in published)
    feasible = list(_feasible_tables(table, n_rows, n_cols, BOUND, policy))
    assert tuple(map(tuple, counts)) in feasible  # the true table is one of them
    for r in range(n_rows):
        for c in range(n_cols):
            if table.cells[r][c] == SUPPRESSED:
                values = {candidate[r][c] for candidate in feasible}
                assert len(values) >= 2, (counts, table, (r, c), values)


@given(tables(4, 4))
def test_every_line_with_a_hidden_entry_hides_at_least_two(counts):
    table = control_table(counts)
    hidden = {(s.row, s.column) for s in table.suppressions}
    n_rows, n_cols = len(counts), len(counts[0])
    lines = [[(r, c) for c in [*range(n_cols), None]] for r in [*range(n_rows), None]]
    lines += [[(r, c) for r in [*range(n_rows), None]] for c in [*range(n_cols), None]]
    for line in lines:
        assert len([k for k in line if k in hidden]) != 1, (counts, line, hidden)
