"""``whatif`` and ``migrate`` in a historian's words: one note a case, then a summary."""

from __future__ import annotations

from collections import Counter
from typing import Any, Mapping

from workflow import policies

from .escape import term

CSV_COLUMNS = ("case", "name", "policy", "candidate_policy", "recorded_state",
               "candidate_state", "equal", "seq", "trigger", "at", "recorded_outcome",
               "recorded_clauses", "candidate_outcome", "candidate_clauses", "guard",
               "skipped")


def _asked(policy_key: str, trigger: str) -> str:
    try:
        found = policies.get(policy_key).find(trigger)
    except Exception:  # a policy this code does not know: the trigger's own name
        found = None
    return found.asked if found is not None and found.asked else trigger.replace("_", " ")


def note(run: Mapping[str, Any]) -> str:
    """One case: where the candidate parts from the record, and how each ends."""
    head = f"case {run['case']}, {run['name']}"
    step, candidate = run["first_divergence"], run["candidate_policy"]
    ends = (f"ends {run['candidate_state']} instead of {run['recorded_state']}"
            if run["candidate_state"] != run["recorded_state"]
            else f"ends {run['recorded_state']} either way")
    if step is None and run["skipped"]:
        return term(f"{head}: decided alike under {candidate} wherever it could be, "
                    f"{len(run['skipped'])} request(s) it cannot take; {ends}")
    if step is None:
        return term(f"{head}: the same under {candidate} ({ends})")
    recorded, cand = step["recorded"], step["candidate"]
    then = (f"{recorded['outcome']} {_asked(run['policy'], step['trigger'])} on {step['at']}")
    if recorded["outcome"] == "refused":
        then += f" ({recorded['reason']})"
    asked = _asked(candidate, step["trigger"])
    if cand["outcome"] == "applied":
        now = f"{asked} applies ({', '.join(cand['clauses'])})"
    elif cand["outcome"] == "refused":
        now = f"{asked} is refused ({cand['reason']})"
    else:
        now = f"{asked} cannot be taken ({cand['reason']})"
    return term(f"{head}: {then}; under {candidate} {now}; {ends}")


def skipped_lines(run: Mapping[str, Any]) -> list[str]:
    return [term(f"  skipped: event {s['seq']} {s['trigger']} ({s['at']}): "
                 f"{s['candidate']['reason']}") for s in run["skipped"]]


def summary_lines(runs: list[Mapping[str, Any]] | Counter[Any], total: int,
                  same: int) -> list[str]:
    counts = runs if isinstance(runs, Counter) else Counter(
        (r["recorded_state"], r["candidate_state"]) for r in runs)
    out = [f"summary: {total} case(s); {same} decided the same throughout"]
    for (before, after), count in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        arrow = f"{before} -> {after}" if before != after else f"{before} (unchanged)"
        out.append(f"  {arrow}: {count}")
    return [term(line) for line in out]


def csv_row(run: Mapping[str, Any]) -> dict[str, Any]:
    step = run["first_divergence"] or {}
    recorded, cand = step.get("recorded") or {}, step.get("candidate") or {}
    guards = cand.get("guards") or []
    return {"case": run["case"], "name": run["name"], "policy": run["policy"],
            "candidate_policy": run["candidate_policy"],
            "recorded_state": run["recorded_state"], "candidate_state": run["candidate_state"],
            "equal": run["equal"], "seq": step.get("seq"), "trigger": step.get("trigger"),
            "at": step.get("at"), "recorded_outcome": recorded.get("outcome"),
            "recorded_clauses": ", ".join(recorded.get("clauses") or []),
            "candidate_outcome": cand.get("outcome"),
            "candidate_clauses": ", ".join(cand.get("clauses") or []),
            "guard": "; ".join(f"{g['guard']}: {g['reason']}" for g in guards),
            "skipped": len(run["skipped"])}
