"""Several policies read as one, for what a database builds from their declarations.

A database holds cases handled under different policies (each case pinned to one,
``id@version``). Its views, report indexes and name lists are written once, from every
policy it may hold: :class:`Catalogue` is their union, checked when it is made so that a
name means one thing across them: a state terminal under one policy is terminal under
all, a fact has one kind, a group view or name list one definition.
"""

from __future__ import annotations

from typing import Iterable

from .errors import InvalidDefinition, InvalidInput
from .policy import Clause, Param, State, Trigger
from .queries import Count, LatestField, NameList, Section
from .record import Record, replace
from .table import Policy


class Catalogue(Record):
    """The union of POLICIES' declarations, in the order the policies are given."""

    policies: tuple[Policy, ...]

    @classmethod
    def of(cls, policies: Iterable[Policy]) -> "Catalogue":
        made = cls(tuple(policies))
        made.check()
        return made

    def check(self) -> None:
        terminal: dict[str, bool] = {}
        kinds: dict[str, str] = {}
        for policy in self.policies:
            for state in policy.states:
                if terminal.setdefault(state.name, state.terminal) != state.terminal:
                    raise InvalidDefinition(f"state {state.name!r} is terminal under one policy and "
                                      f"open under another ({policy.key})")
            for fact in policy.facts:
                if kinds.setdefault(fact.name, fact.kind) != fact.kind:
                    raise InvalidDefinition(f"fact {fact.name!r} has two kinds ({policy.key})")
        lists = {p.name_list for p in self.policies if p.name_list is not None}
        if len(lists) > 1:
            raise InvalidDefinition("the policies declare different name lists")
        for view, triggers in self._groups().items():
            shapes = {(t.name, tuple(p.name for p in t.params), t.group.facts if t.group else ())
                      for t in triggers}
            if len(shapes) > 1:
                raise InvalidDefinition(f"group view {view!r} is declared differently by two "
                                  "policies")

    def _groups(self) -> dict[str, list[Trigger]]:
        out: dict[str, list[Trigger]] = {}
        for policy in self.policies:
            for trigger in policy.triggers:
                if trigger.group is not None:
                    out.setdefault(trigger.group.view, []).append(trigger)
        return out

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.policies)

    def resolve(self, policy_id: str, version: str) -> str:
        """The key ``id@version`` of the policy a row names, its former ids included."""
        for policy in self.policies:
            if policy.version == version and policy_id in (policy.id, *policy.formerly):
                return policy.key
        return f"{policy_id}@{version}"

    def merged_triggers(self) -> tuple[tuple[Policy, Trigger], ...]:
        """One trigger per name across the policies (the first policy's that has it), its
        options the union of every policy's (choices united; required only where every
        policy that has the trigger requires it; an option not every such policy takes
        says which do), with that first policy: what the command line offers. Each policy
        checks its own options when a command runs."""
        having: dict[str, list[Policy]] = {}
        for policy in self.policies:
            for trigger in policy.triggers:
                having.setdefault(trigger.name, []).append(policy)
        out = []
        for name, found in having.items():
            params: dict[str, Param] = {}
            takers: dict[str, list[str]] = {}
            for policy in found:
                for param in policy.trigger(name).params:
                    params[param.name] = _united(params.get(param.name), param)
                    takers.setdefault(param.name, []).append(policy.key)
            for key, keys in takers.items():
                if len(keys) < len(found):
                    params[key] = replace(params[key], required=False, help=(
                        f"{params[key].help} (under {', '.join(keys)})"))
            first = found[0]
            out.append((first, replace(first.trigger(name),
                                                   params=tuple(params.values()))))
        return tuple(out)

    def find(self, name: str) -> Trigger | None:
        """The trigger NAME (or its command, with dashes) of the first policy that has it."""
        key = str(name).replace("-", "_")
        for policy in self.policies:
            found = policy.find(key)
            if found is not None:
                return found
        return None

    def trigger(self, name: str) -> Trigger:
        found = self.find(name)
        if found is None:
            names = _unique(t.name for p in self.policies for t in p.triggers)
            raise InvalidInput(f"unknown trigger {name!r}; triggers: {', '.join(names)}")
        return found

    def state(self, name: str) -> State:
        for policy in self.policies:
            found = next((s for s in policy.states if s.name == name), None)
            if found is not None:
                return found
        names = _unique(s.name for p in self.policies for s in p.states)
        raise InvalidInput(f"unknown state {name!r}; states: {', '.join(names)}")

    @property
    def clauses(self) -> dict[str, Clause]:
        out: dict[str, Clause] = {}
        for policy in self.policies:
            for name, clause in policy.clauses.items():
                out.setdefault(name, clause)
        return out

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(_unique(r for p in self.policies for r in p.roles))

    @property
    def terminal(self) -> set[str]:
        return {s for p in self.policies for s in p.terminal}

    @property
    def open_states(self) -> list[str]:
        return _unique(s for p in self.policies for s in p.open_states)

    def column_facts(self) -> tuple[str, ...]:
        return tuple(_unique(f for p in self.policies for f in p.column_facts()))

    @property
    def view_counts(self) -> tuple[Count | LatestField, ...]:
        seen: dict[str, Count | LatestField] = {}
        for policy in self.policies:
            for count in policy.view_counts:
                seen.setdefault(count.name, count)
        return tuple(seen.values())

    @property
    def group_triggers(self) -> tuple[Trigger, ...]:
        """One trigger per group view (the first policy's that declares it)."""
        return tuple(triggers[0] for triggers in self._groups().values())

    @property
    def name_list(self) -> NameList | None:
        return next((p.name_list for p in self.policies if p.name_list is not None), None)

    @property
    def sections(self) -> tuple[Section, ...]:
        seen: dict[str, Section] = {}
        for policy in self.policies:
            for section in policy.sections:
                seen.setdefault(section.id, section)
        return tuple(seen.values())

    @property
    def summaries(self) -> tuple[str, ...]:
        return tuple(_unique(f for p in self.policies for f in p.summaries))


def _united(known: Param | None, other: Param) -> Param:
    if known is None:
        return other
    return replace(known, choices=tuple(_unique((*known.choices, *other.choices))),
                               required=known.required and other.required)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))

