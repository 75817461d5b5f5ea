"""Reading a scenario file: its text, its data, and every problem as FILE:LINE."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from workflow import InvalidInput, Policy, policies
from workflow.policies import DEFAULT

from .check import Checker
from .limits import FileRefused, check_length, read_bounded
from .loader import parse_text
from .model import Problem, Scenario, ScenarioError


def load(path: str | Path, policy: Policy = DEFAULT) -> Scenario:
    """Read and check one scenario file. Raises ScenarioError naming FILE:LINE.

    A file larger than ``limits.MAX_BYTES`` is refused before it is read whole."""
    source = str(path)
    try:
        text = read_bounded(path)
    except FileRefused as refused:
        raise ScenarioError([Problem(source, refused.line, refused.message)]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError([Problem(source, None, f"cannot read the file: {error}")]) from None
    return parse(text, source, policy)


def parse(text: str, source: str = "<scenario>", policy: Policy = DEFAULT) -> Scenario:
    """Check a scenario given as YAML or JSON text (YAML 1.2's core schema; no anchors,
    no nesting past ``limits.MAX_DEPTH``, no text past ``limits.MAX_BYTES``)."""
    try:
        check_length(text)
        data = parse_text(text, source)
    except FileRefused as refused:
        raise ScenarioError([Problem(source, refused.line, refused.message)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError([Problem(source, line, f"not valid YAML/JSON: {problem}")]) from None
    return from_data(data, source, policy)


def from_data(data: Any, source: str = "<scenario>", policy: Policy = DEFAULT) -> Scenario:
    """Check a scenario given as Python data (as parsed from YAML or JSON, or built). Its
    cases are opened under the policy its top-level ``policy: ID@VERSION`` names, else
    under POLICY (the database's policy for new cases)."""
    named = data.get("policy") if isinstance(data, dict) else None
    if named is not None:
        try:
            policy = policies.get(str(named))
        except InvalidInput as error:
            from .loader import line_of

            raise ScenarioError([Problem(source, line_of(data, "policy") or 1,
                                         f"policy: {error.one_line()}")]) from None
    checker = Checker(source, policy)
    scenario = checker.scenario(data)
    if checker.problems or scenario is None:
        raise ScenarioError(sorted(checker.problems, key=lambda p: p.line or 0))
    return scenario
