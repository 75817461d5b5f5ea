"""What differs between two policies, trigger by trigger: the data of ``policy diff``.

For each trigger either policy has: added or removed, or what changed (the states it
leaves, where it goes, the roles, each guard added, removed or citing other clauses, the
options, the effect, the input checks), with the later policy's own note of why
(``Policy.revisions``). Then the states, facts and settings one has and the other lacks.
"""

from __future__ import annotations

from typing import Any

from .policy import Param, Trigger
from .table import Policy


def _params(trigger: Trigger) -> dict[str, Param]:
    return {p.name: p for p in trigger.params}


def _option_changes(a: Trigger, b: Trigger) -> dict[str, Any]:
    pa, pb = _params(a), _params(b)
    changed = {}
    for name in sorted(set(pa) & set(pb)):
        before, after = pa[name], pb[name]
        what = {k: [getattr(before, k), getattr(after, k)]
                for k in ("kind", "choices", "required")
                if getattr(before, k) != getattr(after, k)}
        if what:
            changed[name] = {k: [list(v) if isinstance(v, tuple) else v for v in pair]
                             for k, pair in what.items()}
    return {"added": sorted(set(pb) - set(pa)), "removed": sorted(set(pa) - set(pb)),
            "changed": changed}


def _guard_changes(a: Trigger, b: Trigger) -> dict[str, Any]:
    ga = {g.guard: list(g.clauses) for g in a.guards}
    gb = {g.guard: list(g.clauses) for g in b.guards}
    return {"added": [{"guard": g, "clauses": gb[g]} for g in gb if g not in ga],
            "removed": [{"guard": g, "clauses": ga[g]} for g in ga if g not in gb],
            "changed": [{"guard": g, "clauses": [ga[g], gb[g]]} for g in ga
                        if g in gb and ga[g] != gb[g]]}


def trigger_diff(old: Policy, new: Policy, name: str) -> dict[str, Any] | None:
    """How trigger NAME differs from OLD to NEW; None if it does not."""
    a, b = old.find(name), new.find(name)
    note = new.revisions.get(name)
    if a is None or b is None:
        kept = b if a is None else a
        assert kept is not None
        return {"trigger": name, "change": "added" if a is None else "removed",
                "sources": (new if a is None else old).sources(kept), "dest": kept.dest,
                "roles": list(kept.roles), "clauses": list(kept.clauses),
                "guards": [{"guard": g.guard, "clauses": list(g.clauses)} for g in kept.guards],
                "note": note}
    out: dict[str, Any] = {"trigger": name, "change": "changed"}
    pairs = {"sources": (old.sources(a), new.sources(b)), "dest": (a.dest, b.dest),
             "roles": (list(a.roles), list(b.roles)),
             "clauses": (list(a.clauses), list(b.clauses)), "effect": (a.effect, b.effect),
             "rejects": (list(a.rejects), list(b.rejects))}
    out.update({k: list(v) for k, v in pairs.items() if v[0] != v[1]})
    guards, options = _guard_changes(a, b), _option_changes(a, b)
    if any(guards.values()):
        out["guards"] = guards
    if any(options.values()):
        out["options"] = options
    if len(out) == 2 and note is None:
        return None
    out["note"] = note
    return out


def diff(old: Policy, new: Policy) -> dict[str, Any]:
    """Every difference from OLD to NEW."""
    names = [t.name for t in old.triggers] + [t.name for t in new.triggers
                                             if old.find(t.name) is None]
    triggers = [d for d in (trigger_diff(old, new, n) for n in names) if d is not None]

    def names_of(items: Any) -> set[str]:
        return {i.name for i in items}

    def both(a: set[str], b: set[str]) -> dict[str, list[str]]:
        return {"added": sorted(b - a), "removed": sorted(a - b)} if a != b else {}

    out: dict[str, Any] = {"from": old.key, "to": new.key, "triggers": triggers,
                           "notes": [f"{k}: {v}" for k, v in new.revisions.items()
                                     if new.find(k) is None and old.find(k) is None]}
    for kind, a, b in (("states", names_of(old.states), names_of(new.states)),
                       ("facts", names_of(old.facts) | names_of(old.derived),
                        names_of(new.facts) | names_of(new.derived)),
                       ("settings", names_of(old.settings), names_of(new.settings)),
                       ("clauses", set(old.clauses), set(new.clauses)),
                       ("report sections", {s.id for s in old.sections},
                        {s.id for s in new.sections})):
        found = both(a, b)
        if found:
            out[kind] = found
    return out
