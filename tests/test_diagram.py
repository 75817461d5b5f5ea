"""`crossings diagram`: the procedure drawn by transitions, a case's path highlighted."""

from __future__ import annotations

import re
import shutil

import pytest
from helpers.casebook import CHOE, HAN, casebook, run

from workflow.policies import JILIN_1961_2 as POLICY


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return casebook(tmp_path_factory)


def _edges(mermaid: str) -> dict[tuple[str, str], str]:
    found = re.findall(r"^\s*([\w[\]*]+) --> (\w+): (.*)$", mermaid, re.M)
    return {(a, b): label for a, b, label in found}


def test_every_trigger_is_an_edge_labelled_with_its_clauses(db: str) -> None:
    result = run(db, "diagram")
    assert result.exit_code == 0, result.stderr
    labels = " | ".join(_edges(result.stdout).values())
    for trigger in POLICY.triggers:
        assert f"{trigger.name} ({', '.join(trigger.clauses)})" in labels


def test_every_state_is_drawn_and_terminal_states_end_the_diagram(db: str) -> None:
    text = run(db, "diagram").stdout
    for state in POLICY.states:
        assert f'state "{state.name}" as {state.name}' in text
        assert (f"{state.name} --> [*]" in text) == state.terminal


def test_a_case_diagram_marks_current_state_active_and_its_path_previous(db: str) -> None:
    text = run(db, "diagram", "--case", str(CHOE)).stdout
    classes = dict(re.findall(r"Class (\w+) s_(\w+)", text))
    assert classes["resident"] == "active"
    assert {s for s, c in classes.items() if c == "previous"} == {
        "detained", "investigated", "persuading", "referred"}
    assert classes["returned"] == "terminal"


def test_a_case_diagram_numbers_the_steps_taken_on_their_edges(db: str) -> None:
    edges = _edges(run(db, "diagram", "--case", str(CHOE)).stdout)
    assert edges[("referred", "resident")].endswith("· step 10")
    assert "persuade (P1, W2, P3) · steps 4, 5, 7" in edges[("persuading", "persuading")]
    assert "step" not in edges[("persuading", "returned")]


def test_dot_text_needs_no_graphviz_program_and_colours_the_path(db: str) -> None:
    result = run(db, "diagram", "--format", "dot", "--case", str(HAN), env={"PATH": "/nonexistent"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("digraph")
    assert re.search(r'persuading -> referred \[label="refer \(P3\) · step \d+\\l" color=blue\]',
                     result.stdout)
    assert re.search(r"referred \[.*color=red", result.stdout)


def test_svg_without_dot_is_one_line_saying_how_to_install_graphviz(db: str) -> None:
    result = run(db, "diagram", "--format", "svg", env={"PATH": "/nonexistent"})
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: SVG needs Graphviz's dot program")
    assert "apt-get install graphviz" in result.stderr


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_svg_with_dot_is_written_to_the_output_file(db: str, tmp_path) -> None:
    target = tmp_path / "case.svg"
    result = run(db, "diagram", "--format", "svg", "--case", str(CHOE), "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert "<svg" in target.read_text(encoding="utf-8")
    assert "grant_residency (P3, P5) · step 10" in target.read_text(encoding="utf-8")


def test_a_diagram_of_an_unknown_case_is_rejected(db: str) -> None:
    result = run(db, "diagram", "--case", "99")
    assert result.exit_code == 1
    assert result.stderr == "Error: no case 99\n"


def test_the_policy_diagram_needs_no_database(tmp_path) -> None:
    result = run(str(tmp_path / "missing.db"), "diagram")
    assert result.exit_code == 0
    assert not (tmp_path / "missing.db").exists()
