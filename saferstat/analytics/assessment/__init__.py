"""The strategic assessment's arithmetic: priority scores on a configurable harm x likelihood x
capacity matrix, where scorers disagree, the ranked list, consultation coverage against the
Census with Wilson score intervals, reweighting to the population, survey response checks and
the community tension trend. Pure Python; never imports Django (docs/assessment.md).

The scoring model is *modelled on* the thematic risk tools partnerships use (harm, likelihood,
organisational position); its scales and weights are the partnership's own and are shown on
screen. It is not any licensed tool and carries no such name.

One module per concern: ``scoring`` (the matrix, scores, spread, ranking), ``coverage`` (the
Census comparison and Wilson intervals), ``reweighting`` (raking and headline figures),
``census`` (reading the Census tables), ``responses`` (survey export checks), ``tension``
(community tension trend) and ``proposals`` (scores proposed from the data). Everything is
re-exported here, so callers write ``assessment.rank`` whichever module holds it.
"""

from __future__ import annotations

from .census import (  # noqa: F401
    CENSUS_CODES,
    census_population,
)
from .coverage import (  # noqa: F401
    COVERAGE_GROUPS,
    DIMENSION_LABELS,
    CoverageRow,
    coverage,
    weighted_share,
    weights,
    wilson,
)
from .proposals import (  # noqa: F401
    CONCERN_BANDS,
    CONCERN_TOP_MIN,
    HARM_BANDS,
    TREND_CHANGE,
    VOLUME_BANDS,
    Proposal,
    _band,
    _fit,
    concern_raised,
    propose_concern,
    propose_harm,
    propose_trend,
    propose_volume,
)
from .responses import (  # noqa: F401
    FREE_TEXT_MAX,
    OPTIONAL_COLUMNS,
    RESPONSE_COLUMNS,
    ParsedResponses,
    _cell,
    age_band,
    check_responses,
    counts_by,
    parse_responses,
)
from .reweighting import (  # noqa: F401
    HeadlineRow,
    Weighting,
    effective_size,
    headline,
    rake,
    wilson_share,
)
from .scoring import (  # noqa: F401
    DEFAULT_MATRIX,
    GROUPS,
    Dimension,
    DimensionSpread,
    Matrix,
    Ranked,
    Score,
    Spread,
    disagreement,
    rank,
    score,
    spread,
)
from .tension import (  # noqa: F401
    TENSION_LEVELS,
    tension_trend,
    week_start,
)

__all__ = [
    "CENSUS_CODES",
    "CONCERN_BANDS",
    "CONCERN_TOP_MIN",
    "COVERAGE_GROUPS",
    "CoverageRow",
    "DEFAULT_MATRIX",
    "DIMENSION_LABELS",
    "Dimension",
    "DimensionSpread",
    "FREE_TEXT_MAX",
    "GROUPS",
    "HARM_BANDS",
    "HeadlineRow",
    "Matrix",
    "OPTIONAL_COLUMNS",
    "ParsedResponses",
    "Proposal",
    "RESPONSE_COLUMNS",
    "Ranked",
    "Score",
    "Spread",
    "TENSION_LEVELS",
    "TREND_CHANGE",
    "VOLUME_BANDS",
    "Weighting",
    "age_band",
    "census_population",
    "check_responses",
    "concern_raised",
    "counts_by",
    "coverage",
    "disagreement",
    "effective_size",
    "headline",
    "parse_responses",
    "propose_concern",
    "propose_harm",
    "propose_trend",
    "propose_volume",
    "rake",
    "rank",
    "score",
    "spread",
    "tension_trend",
    "week_start",
    "weighted_share",
    "weights",
    "wilson",
    "wilson_share",
]
