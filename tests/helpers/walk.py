"""A random clerk: fires random triggers with random options at random cases, forever.

The crash test runs :func:`walk` in a child process and kills it at random moments. The
walk picks among the triggers that apply in a case's state (from the policy table), so
most commands reach a write: applied, refused (a refused row), or a group handover;
now and then it runs several commands in one ``batch`` transaction.
"""

from __future__ import annotations

import random
from typing import Any, Callable

from helpers.actors import new_database
from helpers.casework import ACTORS

from crossings.service import Service
from workflow import WorkflowError
from workflow.policies import JILIN_1961_2 as POLICY

BY_ROLE = {role: name for name, role in ACTORS.items()}
WEIGHTS = {"persuade": 8, "request_guidance": 1, "record_guidance": 1, "amend": 1}
CROSSED = ("1959-05-01", "1960", "1960-12/1961-01", "1961-03", "1961-10-02")


def _pick(rng: random.Random, *options: Any) -> Any:
    return rng.choice(options)


PARAMS: dict[str, Callable[[random.Random], dict[str, Any]]] = {
    "investigate": lambda r: {
        "citizenship": _pick(r, "dprk", "dprk", "dprk", "prc-korean-minority", "other"),
        "purpose": _pick(r, "other", "visiting-relatives"),
        "spouse": _pick(r, "none", "chinese-korean", "other"),
        "crime": _pick(r, None, None, None, None, "theft of grain"),
    },
    "persuade": lambda r: {"outcome": _pick(r, "agreed", "refused", "refused"),
                           "method": "talk with an education cadre"},
    "provide": lambda r: {"items": _pick(r, "food", "clothing", "food,clothing")},
    "consulate_reply": lambda r: {"reply": _pick(r, "agreed", "declined")},
    "request_guidance": lambda r: {"question": "How is this person to be handled?"},
    "record_guidance": lambda r: {"answer": "Continue persuasion."},
    "amend": lambda r: {"field": "spouse", "value": _pick(r, "none", "chinese-korean"),
                        "reason": "corrected from the register"},
    "hand_over": lambda r: {"representative": "Ri Chol",
                            "crossing_point": "Changbai-Hyesan bridge"},
}


def actor_for(rng: random.Random, trigger: str) -> str:
    """Usually an actor whose role may fire the trigger; sometimes anyone (a refusal)."""
    if rng.random() < 0.1:
        return rng.choice(list(ACTORS))
    return BY_ROLE[rng.choice(POLICY.trigger(trigger).roles)]


def open_case(service: Service, rng: random.Random, last: int) -> None:
    accompanies = rng.randint(1, last) if last and rng.random() < 0.2 else None
    service.fire("open", None, actor_for(rng, "open"), at="1961-11-10",
                 name=f"Crosser {last + 1}", crossed_on=rng.choice(CROSSED), place="Badaogou",
                 accompanies=accompanies)


def fire_at(service: Service, rng: random.Random, case_id: int) -> None:
    case = service.show(case_id)
    choices = POLICY.applicable(case.state)
    if not choices:
        return
    trigger = rng.choices(choices, [WEIGHTS.get(t, 3) for t in choices])[0]
    params = PARAMS.get(trigger, lambda r: {})(rng)
    who = actor_for(rng, trigger)
    cases = [case_id]
    if POLICY.trigger(trigger).group and case_id > 1 and rng.random() < 0.5:
        cases.append(case_id - 1)  # a group of two
    service.fire(trigger, cases, who, at="1961-11-20", **params)


def step(service: Service, rng: random.Random) -> None:
    """One command; errors a user would see (refusals, rejections) are expected."""
    last = service.store.next_case_id() - 1
    try:
        if last < 3 or rng.random() < 0.08:
            open_case(service, rng, last)
        else:
            fire_at(service, rng, rng.randint(max(1, last - 20), last))
    except WorkflowError:
        pass


def batch(service: Service, rng: random.Random) -> None:
    """Several commands in one transaction (each its own savepoint)."""
    with service.batch():
        for _ in range(rng.randint(2, 6)):
            step(service, rng)


def walk(service: Service, rng: random.Random, steps: int | None = None,
         busy: Callable[[bool], None] = lambda flag: None) -> None:
    """Fire commands until ``steps`` are done (forever if None); ``busy`` is told when a
    command (or batch) starts and ends."""
    done = 0
    while steps is None or done < steps:
        busy(True)
        if rng.random() < 0.1:
            batch(service, rng)
        else:
            step(service, rng)
        busy(False)
        done += 1


def prepare(db: str) -> None:
    new_database(db).close()
