"""Scenario files cannot exhaust the reader or change what they say (issue 10, item 10):
YAML 1.2's core schema, no anchors or aliases, nesting and size bounded, strict JSON
words, no timestamps. Each refusal is one FILE:LINE line and exit 2, nothing replayed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from crossings.cli import cli
from crossings.replay import ScenarioError, load, parse, replay_scenario
from crossings.replay.limits import MAX_BYTES, MAX_DEPTH, NO_ANCHORS
from crossings.replay.loader import parse_text

CASES = Path(__file__).parent / "cases"

ACTORS = "actors:\n  - {name: Zhao, role: county-officer}\n"
OPEN = ("  - {at: 1961-11-12, by: Zhao, do: open, case: a, name: Ri Chol, crossed_on: 1961-10,"
        " place: Badaogou}\n")
VALID = f"title: One crosser detained\n{ACTORS}events:\n{OPEN}expect:\n  a: {{state: detained}}\n"


def replay_cli(*args: str):
    return CliRunner().invoke(cli, ["replay", *args], catch_exceptions=False)


def written(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, stdout: str) -> list[tuple[int, str]]:
    """The FILE:LINE lines of a report, as (line, message)."""
    pattern = rf"^{re.escape(str(path))}:(\d+): (.*)$"
    return [(int(n), message) for n, message in re.findall(pattern, stdout, re.M)]


def assert_refused(path: Path, line: int, message: str) -> None:
    """Exit 2, one FILE:LINE problem with this message, one Error line, no traceback."""
    result = replay_cli(str(path))
    assert result.exit_code == 2, result.output
    assert problems(path, result.stdout) == [(line, message)]
    [error] = result.stderr.splitlines()
    assert error.startswith("Error: ") and str(path) in error
    assert "Traceback" not in result.output


def laughs(levels: int, leaf: str) -> str:
    """A flow sequence of anchored layers, each nine aliases of the one before:
    9**levels leaves once expanded, in a few hundred bytes."""
    layers = [f"&l0 [{','.join([leaf] * 9)}]"]
    layers += [f"&l{n} [{','.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "[" + ",".join(layers) + "]"


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


# -- YAML 1.2's core schema --------------------------------------------------------------

@pytest.mark.parametrize("word", ["NO", "No", "Off", "yes", "y", "ON", "0x1F", "0o17", "017",
                                  "1_000", "1.5", ".inf", "1961-11-17"])
def test_yaml_1_1_booleans_numbers_and_dates_are_read_as_text(word):
    scenario = parse(f"title: {word}\n{ACTORS}events:\n{OPEN}")
    assert scenario.title == word


def test_a_case_named_no_replays_as_the_name_no(service):
    scenario = parse(VALID.replace("name: Ri Chol", "name: NO"), "no.yaml")
    report = replay_scenario(service, scenario)
    assert report.ok, [str(d) for d in report.divergences]
    assert service.show(1).name == "NO"


def test_true_false_null_and_decimal_integers_still_resolve():
    text = VALID.replace("a: {state: detained}", "a: {state: detained, flagged: FALSE, attempts: 0}")
    [expect] = parse(text).expect
    assert (expect.flagged, expect.counts) == (False, {"attempts": 0})


def test_an_octal_looking_count_is_text_and_refused_as_a_count():
    text = VALID.replace("a: {state: detained}", "a: {state: detained, attempts: 017}")
    with pytest.raises(ScenarioError) as caught:
        parse(text, "octal.yaml")
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (7, "attempts must be a count (0 or more)")]


def test_a_tag_outside_the_core_schema_is_refused_naming_its_line(tmp_path):
    path = written(tmp_path, VALID.replace("at: 1961-11-12", "at: !!timestamp 1961-11-12"))
    assert_refused(path, 5, "the tag 'tag:yaml.org,2002:timestamp' is not allowed in a scenario file")


def test_a_timestamp_with_a_time_and_zone_is_refused_naming_its_line(tmp_path):
    path = written(tmp_path, VALID.replace("at: 1961-11-12", "at: 1961-11-12T23:30:00-12:00"))
    result = replay_cli(str(path))
    assert result.exit_code == 2
    [(line, message)] = problems(path, result.stdout)
    assert line == 5
    assert "'1961-11-12T23:30:00-12:00' is not a date" in message
    assert "a time or zone is not allowed" in message


# -- anchors and aliases -------------------------------------------------------------------

def test_a_billion_laughs_title_is_refused_naming_its_line(tmp_path):
    path = written(tmp_path, f"title: {laughs(9, 'lol')}\n{ACTORS}events:\n{OPEN}")
    assert len(path.read_bytes()) < 1000
    assert_refused(path, 1, NO_ANCHORS)


def test_an_alias_bomb_in_an_actor_name_is_refused_naming_its_line(tmp_path):
    actors = f"actors:\n  - {{name: {laughs(8, 'Zhao')}, role: county-officer}}\n"
    path = written(tmp_path, f"title: Alias bomb\n{actors}events:\n{OPEN}")
    assert_refused(path, 3, NO_ANCHORS)


def test_one_anchor_without_an_alias_is_refused_too(tmp_path):
    path = written(tmp_path, VALID.replace("case: a,", "case: &label a,"))
    assert_refused(path, 5, NO_ANCHORS)


# -- nesting and size ----------------------------------------------------------------------

def test_300_levels_of_nesting_are_one_problem_not_a_traceback(tmp_path):
    path = written(tmp_path, f"{ACTORS}events:\n{OPEN}description:\n  {nested(300)}\n")
    result = replay_cli(str(path))
    assert result.exit_code == 2
    assert [line for line, _ in problems(path, result.stdout)] == [6]
    assert "Traceback" not in result.output and "RecursionError" not in result.output


def test_nesting_is_refused_where_level_65_starts():
    deep = "x:\n" + "".join("  " * n + "-\n" for n in range(MAX_DEPTH))  # the top mapping is 1
    with pytest.raises(ScenarioError) as caught:
        parse(deep, "deep.yaml")
    [problem] = caught.value.problems
    assert problem.line == MAX_DEPTH + 1 and "nested more than 64 levels" in problem.message


def test_64_levels_of_nesting_are_read():
    data = parse_text(f"x: {nested(MAX_DEPTH - 1)}\n", "deep.yaml")  # the top mapping is 1
    for _ in range(MAX_DEPTH - 1):
        data = data["x"] if isinstance(data, dict) else data[0] if data else []
    assert data == []


def test_a_21_mb_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as file:  # sparse: NUL bytes, which YAML would refuse otherwise
        file.truncate(21 * 2**20)
    result = replay_cli(str(path))
    assert result.exit_code == 2
    assert f"{path}: the file is 21.0 MB; a scenario file may be at most 20 MB" in result.stdout


def test_text_over_20_mb_is_refused_before_it_is_parsed():
    with pytest.raises(ScenarioError) as caught:
        parse("#" * (MAX_BYTES + 1), "huge.yaml")
    assert "a scenario file may be at most 20 MB" in str(caught.value)


# -- JSON ------------------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_are_refused_naming_the_line(tmp_path, word):
    text = (CASES / "p1-persuaded-return.json").read_text(encoding="utf-8")
    lines = text.splitlines()
    number = next(n for n, line in enumerate(lines, 1) if '"title"' in line)
    lines[number - 1] = f'  "title": {word},'
    path = written(tmp_path, "\n".join(lines), "nan.json")
    assert_refused(path, number, f"{word} is not a JSON value (Python's json reads it; no other reader does)")


def test_a_bare_word_in_json_is_refused_naming_the_line(tmp_path):
    path = written(tmp_path, '{"title":\n  yes}', "bare.json")
    assert_refused(path, 2, "'yes' is not a JSON value: quote text")


# -- files that hold ----------------------------------------------------------------------

def test_a_valid_file_still_replays(tmp_path):
    path = written(tmp_path, VALID)
    result = replay_cli(str(path), str(CASES / "p1-persuaded-return.json"))
    assert result.exit_code == 0, result.output
    assert [line[:3] for line in result.stdout.splitlines()] == ["ok ", "ok "]


def test_every_recorded_case_reads_under_the_limits():
    for path in sorted(CASES.glob("*.yaml")) + sorted(CASES.glob("*.json")):
        assert load(path).events


def test_the_reader_leaves_pyyaml_s_own_loaders_alone():
    import yaml

    parse(f"title: NO\n{ACTORS}events:\n{OPEN}")
    assert yaml.safe_load("[NO, 0x1F]") == [False, 31]
