"""The differences between two versions of a partnership plan: what was added, removed or
reworded. Plain Python over the plan snapshots (``saferstat.plan.selectors.plan_snapshot``).

Themes and priorities are matched by their ``key`` (which stays the same when they are
renamed); objectives by their position under the same priority.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlanChange:
    """One difference: ``kind`` is ``added``, ``removed`` or ``reworded``; ``level`` is
    ``theme``, ``priority``, ``objective`` or ``lead``; ``where`` names the place."""

    kind: str
    level: str
    where: str
    before: str
    after: str


def _by_key(items: list[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {item["key"]: item for item in items}


def plan_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[PlanChange]:
    """The changes from ``old`` to ``new``, theme by theme, in the new version's order
    (removed items after the kept ones)."""
    changes: list[PlanChange] = []
    old_themes, new_themes = _by_key(old["themes"]), _by_key(new["themes"])
    for key in [*new_themes, *(k for k in old_themes if k not in new_themes)]:
        before, after = old_themes.get(key), new_themes.get(key)
        if before is None:
            changes.append(PlanChange("added", "theme", after["name"], "", after["name"]))
        elif after is None:
            changes.append(PlanChange("removed", "theme", before["name"], before["name"], ""))
        elif before["name"] != after["name"]:
            changes.append(
                PlanChange("reworded", "theme", after["name"], before["name"], after["name"])
            )
        old_prios = _by_key(before["priorities"]) if before else {}
        new_prios = _by_key(after["priorities"]) if after else {}
        for pkey in [*new_prios, *(k for k in old_prios if k not in new_prios)]:
            changes.extend(_priority_changes(old_prios.get(pkey), new_prios.get(pkey)))
    return changes


def _priority_changes(before, after) -> list[PlanChange]:
    if before is None:
        return [PlanChange("added", "priority", after["name"], "", after["name"])]
    if after is None:
        return [PlanChange("removed", "priority", before["name"], before["name"], "")]
    changes = []
    where = after["name"]
    for field, level in (("name", "priority"), ("description", "priority"), ("lead", "lead")):
        if before.get(field, "") != after.get(field, ""):
            changes.append(
                PlanChange("reworded", level, where, before.get(field, ""), after.get(field, ""))
            )
    old_obj, new_obj = before.get("objectives", []), after.get("objectives", [])
    for i in range(max(len(old_obj), len(new_obj))):
        was = old_obj[i] if i < len(old_obj) else None
        now = new_obj[i] if i < len(new_obj) else None
        if was is None:
            changes.append(PlanChange("added", "objective", where, "", now))
        elif now is None:
            changes.append(PlanChange("removed", "objective", where, was, ""))
        elif was != now:
            changes.append(PlanChange("reworded", "objective", where, was, now))
    return changes
