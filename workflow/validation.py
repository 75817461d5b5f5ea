"""Checks of a policy table, run when its package loads (python-statemachine's checks).

One initial state, no exit from a terminal state, every state reachable, no trap state;
every clause, role, guard, effect, option kind, setting and fact a table entry names is
known; the side tables (a guard's words, a refusal's words) are complete. Each problem
names the entry at fault; :func:`validate` raises them all at once.
"""

from __future__ import annotations

from .errors import InvalidDefinition
from .policy import CLEANERS, NAME, Trigger
from .queries import Entries, Late, LatestWithout
from .table import Policy


def validate(policy: Policy) -> Policy:
    """Raise :class:`InvalidDefinition` naming every inconsistency of the table."""
    problems = _problems(policy)
    if problems:
        raise InvalidDefinition(f"policy {policy.id}: " + "; ".join(problems))
    return policy


def _problems(policy: Policy) -> list[str]:
    problems = _state_problems(policy)
    seen: set[str] = set()
    for trig in policy.triggers:
        problems += _trigger_problems(policy, trig, set(policy.state_names))
        if trig.name in seen:
            problems.append(f"trigger {trig.name} is declared twice")
        seen.add(trig.name)
    openings = [t.name for t in policy.triggers if t.opens]
    if len(openings) != 1:
        problems.append(f"needs exactly one trigger that opens a case, has {openings or 'no such trigger'}")
    problems += _fact_problems(policy)
    problems += _query_problems(policy)
    problems += _reachability_problems(policy)
    problems += [f"revision notes name unknown trigger {n}" for n in policy.revisions
                 if n not in seen and not n.startswith("ruling ")]
    return problems


def _state_problems(policy: Policy) -> list[str]:
    problems = []
    initial = [s.name for s in policy.states if s.initial]
    if len(initial) != 1:
        problems.append(f"needs exactly one initial state, has {initial or 'no initial state'}")
    for state in policy.states:
        problems += [f"state {state.name} cites unknown clause {c}" for c in state.clauses
                     if c not in policy.clauses]
        if state.initial and state.terminal:
            problems.append(f"state {state.name} is both initial and terminal")
    return problems


def _trigger_problems(policy: Policy, trig: Trigger, names: set[str]) -> list[str]:
    out: list[str] = []
    sources = policy.sources(trig)
    if trig.opens and sources:
        out.append(f"trigger {trig.name} opens a case but leaves states {sources}")
    out += [f"trigger {trig.name} leaves unknown state {s}" for s in sources if s not in names]
    out += [f"trigger {trig.name} leaves terminal state {s}" for s in sources
            if s in policy.terminal and trig.dest is not None]  # internal: never leaves it
    out += [f"trigger {trig.name} uses unknown input check {r}" for r in trig.rejects
            if r not in policy.rejections]
    if trig.dest is not None and trig.dest not in names:
        out.append(f"trigger {trig.name} enters unknown state {trig.dest}")
    out += [f"trigger {trig.name} allows unknown role {r}" for r in trig.roles
            if r not in policy.roles]
    if not trig.roles:
        out.append(f"trigger {trig.name} allows no role")
    out += _clause_problems(policy, trig)
    for spec in trig.guards:
        if spec.guard not in policy.guards:
            out.append(f"trigger {trig.name} uses unknown guard {spec.guard}")
    if trig.effect not in policy.effects:
        out.append(f"trigger {trig.name} uses unknown effect {trig.effect}")
    out += [f"option {p.name} of {trig.name} has unknown kind {p.kind}" for p in trig.params
            if p.kind not in CLEANERS]
    if not trig.opens and not trig.asked:
        out.append(f"trigger {trig.name} has no words for what a refusal of it asked for")
    if trig.group is not None and not trig.group.clauses:
        out.append(f"group trigger {trig.name} cites no clause for a group refusal")
    if any(p.kind == "fact-value" for p in trig.params) != any(p.kind == "fact" for p in trig.params):
        out.append(f"trigger {trig.name} needs both a fact and a fact-value option, or neither")
    return out


def _clause_problems(policy: Policy, trig: Trigger) -> list[str]:
    cited = list(trig.clauses) + [c for g in trig.guards for c in g.clauses]
    if trig.group is not None:
        cited += trig.group.clauses
    out = [f"trigger {trig.name} cites unknown clause {c}" for c in cited
           if c not in policy.clauses]
    if not trig.clauses:
        out.append(f"trigger {trig.name} cites no clause")
    out += [f"guard {g.guard} of {trig.name} cites no clause" for g in trig.guards if not g.clauses]
    return out


def _fact_problems(policy: Policy) -> list[str]:
    names = {f.name for f in policy.facts}
    out = [f"fact {f.name} has unknown kind {f.kind}" for f in policy.facts
           if f.kind not in CLEANERS]
    name = next((f for f in policy.facts if f.name == NAME), None)
    if name is None or not name.required:
        out.append(f"needs the required core fact {NAME!r}")
    out += [f"guard {g} has no words" for g, spec in policy.guards.items() if not spec.words]
    derived = {d.name for d in policy.derived}
    out += [f"fact {n} is declared as an option and as derived" for n in names & derived]
    out += [f"show lists unknown derived fact {n}" for n in policy.shown if n not in derived]
    out += [f"summary by unknown fact {n}" for n in policy.summaries if n not in names]
    out += [f"setting {s.name} of kind int has no upper bound" for s in policy.settings
            if s.kind == "int" and s.high is None]
    out += [f"the register shows unknown fact {n}" for n in policy.register if n not in names]
    for trig in policy.triggers:
        for param in trig.params:
            if param.kind == "fact" and set(param.choices) - names:
                out.append(f"option {param.name} of {trig.name} names unknown facts "
                           f"{sorted(set(param.choices) - names)}")
    return out


def _known_path(policy: Policy, path: str) -> bool:
    head = path.split(".")[0]
    return head in {f.name for f in policy.facts} | {d.name for d in policy.derived}


def _query_problems(policy: Policy) -> list[str]:
    out: list[str] = []
    settings = {s.name for s in policy.settings}
    for section in policy.sections:
        query = section.query
        if section.clause not in policy.clauses:
            out.append(f"report section {section.id} cites unknown clause {section.clause}")
        paths: list[str] = []
        states: tuple[str, ...] = ()
        if isinstance(query, Late):
            paths = [query.since, *(p for p, _ in query.where.equals), *query.where.unset]
            states = query.where.states
            if query.days not in settings:
                out.append(f"report section {section.id} counts days of unknown setting {query.days}")
        elif isinstance(query, LatestWithout):
            paths, states = [query.entries, query.without], query.states
        elif isinstance(query, Entries):
            paths = [query.entries]
        out += [f"report section {section.id} reads unknown fact {p}" for p in paths
                if not _known_path(policy, p)]
        out += [f"report section {section.id} names unknown state {s}" for s in states
                if s not in policy.state_names]
    if policy.name_list is not None and policy.name_list.trigger not in policy._index:
        out.append(f"the name list's trigger {policy.name_list.trigger} is unknown")
    return out


def _reachability_problems(policy: Policy) -> list[str]:
    edges: dict[str, set[str]] = {s.name: set() for s in policy.states}
    for trig in policy.triggers:
        for source in policy.sources(trig):
            if trig.dest and source in edges:
                edges[source].add(trig.dest)
    start = [s.name for s in policy.states if s.initial]
    reached = _closure(start, edges)
    out = [f"state {s} is unreachable from the initial state" for s in edges if s not in reached]
    for state in policy.states:
        if not state.terminal and not (_closure([state.name], edges) & policy.terminal):
            out.append(f"state {state.name} is a trap: no terminal state can be reached from it")
    return out


def _closure(start: list[str], edges: dict[str, set[str]]) -> set[str]:
    reached, todo = set(start), list(start)
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    return reached
