"""Output that cannot lie (issue 10, item 8): stored text reaches a terminal escaped, CSV
with formula cells neutralised, diagram labels quoted for their syntax, JSON exact.

One database (a copy of the suite's fresh one) gets, through the CLI, ESC (an erase-line
and an OSC title sequence), CR, LF, RLO (U+202E), U+2028, U+2029 and a zero-width space
in every free-text option of the triggers; every text command then runs on it. The runner
keeps colour (``color=True``): without it click strips ANSI sequences from output that is
not a terminal, which would hide a raw ESC from the test while a real terminal gets it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from crossings.cli import cli
from crossings.render import diagrams, tables
from crossings.render.escape import csv_cell, json_safe, label, term
from workflow.policies import JILIN_1961_2 as POLICY

# What every free-text option stores: each way a value could move the cursor, start a
# line or reorder a terminal, and a line that would pass for a log row if LF were raw.
HIDDEN = "\x1b[2K\r\x1b]0;owned\x07forged\nFORGED\u202eRLO\u2028LS\u2029PS\u200bzw"
RAW = ("\x1b", "\r", "\x07", "\u202e", "\u2028", "\u2029", "\u200b")
SHOWN = "\\x1b[2K\\r\\x1b]0;owned\\x07forged\\nFORGED\\u202eRLO\\u2028LS\\u2029PS\\u200bzw"
ELDER = 'Kim: "the elder"'

# Each free-text option, the value stored in it: a formula start, then HIDDEN.
STORED = {
    "place": "=place" + HIDDEN, "note": "+note" + HIDDEN, "purpose_note": "-purpose" + HIDDEN,
    "crime": "-crime" + HIDDEN, "method": "@method" + HIDDEN, "question": "=question" + HIDDEN,
    "answer": "+answer" + HIDDEN, "list": "-list" + HIDDEN, "amended": "=amended" + HIDDEN,
    "reason": "@reason" + HIDDEN, "complaint": "=complaint" + HIDDEN,
    "crossing_point": "=bridge" + HIDDEN, "group_note": "-group" + HIDDEN,
    "question2": "=open question" + HIDDEN,
}
REFERRED, CRIMINAL, RETURNED = 1, 2, 3  # the cases, in the order they are opened


def invoke(db: str, *args: str, actor: str | None = "Zhao") -> Result:
    env = {"CROSSINGS_DB": db, **({"CROSSINGS_ACTOR": actor} if actor else {})}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False, color=True)


def _ok(db: str, *args: str, actor: str = "Zhao") -> None:
    result = invoke(db, *args, actor=actor)
    assert result.exit_code == 0, (args, result.stderr)


def _open_cases(db: str) -> None:
    _ok(db, "open", "--name", ELDER, "--native-name", "김정숙", "--crossed-on", "1961-03-20",
        "--place", STORED["place"], "--note", STORED["note"], "--at", "1961-11-10")
    for name, place in (("=Choe", "@elsewhere" + HIDDEN), ("-Han", "Badaogou")):
        _ok(db, "open", "--name", name, "--crossed-on", "1961-03", "--place", place,
            "--at", "1961-11-10")


def _referred(db: str) -> None:
    """Case 1: every option of investigation, persuasion, guidance, referral, amendment."""
    case = str(REFERRED)
    _ok(db, "investigate", case, "--citizenship", "dprk", "--purpose", "other",
        "--purpose-note", STORED["purpose_note"], "--spouse", "chinese-korean", "--at", "1961-11-11")
    _ok(db, "begin-persuasion", case, "--at", "1961-11-12")
    for day in ("13", "14", "15"):
        _ok(db, "persuade", case, "--outcome", "refused", "--method", STORED["method"],
            "--at", f"1961-11-{day}")
    _ok(db, "request-guidance", case, "--question", STORED["question"], "--at", "1961-11-16")
    _ok(db, "record-guidance", case, "--answer", STORED["answer"], "--at", "1961-11-17", actor="Liu")
    _ok(db, "refer", case, "--list", STORED["list"], "--at", "1961-11-18")
    _ok(db, "amend", case, "--field", "place", "--value", STORED["amended"],
        "--reason", STORED["reason"], "--at", "1961-11-19")
    _ok(db, "amend", case, "--field", "complaint", "--value", STORED["complaint"],
        "--reason", "recorded late", "--at", "1961-11-19")


def _criminal_and_returned(db: str) -> None:
    """Case 2: a visitor (overdue on P2's short period) with a crime (so a refusal quotes
    it) and an open question; case 3: handed over."""
    _ok(db, "investigate", str(CRIMINAL), "--citizenship", "dprk", "--purpose", "visiting-relatives",
        "--crime", STORED["crime"], "--at", "1961-11-11")
    assert invoke(db, "begin-persuasion", str(CRIMINAL), "--at", "1961-11-12").exit_code == 1
    _ok(db, "request-guidance", str(CRIMINAL), "--question", STORED["question2"], "--at", "1961-11-16")
    _ok(db, "investigate", str(RETURNED), "--citizenship", "dprk", "--at", "1961-11-11")
    _ok(db, "begin-persuasion", str(RETURNED), "--at", "1961-11-12")
    _ok(db, "persuade", str(RETURNED), "--outcome", "agreed", "--at", "1961-11-13")
    _ok(db, "hand-over", str(RETURNED), "--representative", "Kang Myong-chol",
        "--crossing-point", STORED["crossing_point"], "--note", STORED["group_note"],
        "--at", "1961-11-14", actor="Kim")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, fresh_template: str) -> str:
    """The suite's fresh database (one actor of every role), then the hostile cases."""
    path = str(tmp_path_factory.mktemp("escaping") / "hostile.db")
    shutil.copyfile(fresh_template, path)
    _open_cases(path)
    _referred(path)
    _criminal_and_returned(path)
    return path


@pytest.fixture
def copy(db: str, tmp_path: Path) -> str:
    """A copy of the database for a test that writes (every connection to it is closed)."""
    target = tmp_path / "copy.db"
    shutil.copyfile(db, target)
    return str(target)


# Every text command, and whether stored free text (not only names) is in what it prints.
# Names refuse hidden characters when stored, so the commands that print only names pass
# on today's code too: they stay, so that a value reaching them another way is caught.
TEXT_COMMANDS = {
    "show": (["show", "1"], True),
    "show --timeline": (["show", "1", "--timeline"], True),
    "log": (["log"], True),
    "log --csv": (["log", "--csv"], True),
    "why": (["why", "2", "begin-persuasion"], True),
    "next": (["next", "2"], True),
    "list": (["list"], False),
    "list --csv": (["list", "--csv"], False),
    "name-list": (["name-list"], True),
    "name-list markdown": (["name-list", "--format", "markdown"], True),
    "name-list csv": (["name-list", "--format", "csv"], True),
    "name-list --referred": (["name-list", "--referred"], True),
    "name-list --referred csv": (["name-list", "--referred", "--format", "csv"], True),
    "handovers": (["handovers"], True),
    "handovers --csv": (["handovers", "--csv"], True),
    "handover": (["handover", "1"], True),
    "handover markdown": (["handover", "1", "--format", "markdown"], True),
    "handover csv": (["handover", "1", "--format", "csv"], True),
    "report overdue": (["report", "overdue", "--as-of", "1963-01-01"], False),
    "report overdue --csv": (["report", "overdue", "--as-of", "1963-01-01", "--csv"], False),
    "report compliance": (["report", "compliance"], True),
    "report compliance --csv": (["report", "compliance", "--csv"], True),
    "report summary": (["report", "summary", "--by", "place"], True),
    "report summary --csv": (["report", "summary", "--by", "place", "--csv"], True),
    "diagram mermaid": (["diagram", "--case", "1"], False),
    "diagram dot": (["diagram", "--case", "1", "--format", "dot"], False),
}
CARRY_TEXT = [name for name, (_, carries) in TEXT_COMMANDS.items() if carries]
CSV_COMMANDS = [name for name, (args, _) in TEXT_COMMANDS.items()
                if "--csv" in args or "csv" in args]


def _output(db: str, name: str) -> Result:
    result = invoke(db, *TEXT_COMMANDS[name][0])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip()
    return result


@pytest.mark.parametrize("name", list(TEXT_COMMANDS))
def test_no_stored_control_bidi_or_separator_character_reaches_the_terminal(db: str, name: str) -> None:
    result = _output(db, name)
    for ch in RAW:
        assert ch not in result.stdout and ch not in result.stderr, (name, repr(ch))


@pytest.mark.parametrize("name", list(TEXT_COMMANDS))
def test_a_stored_line_break_never_starts_a_line_of_output(db: str, name: str) -> None:
    result = _output(db, name)
    lines = (result.stdout + result.stderr).splitlines()
    assert not [line for line in lines if line.lstrip(" |,'\"").startswith("FORGED")]


@pytest.mark.parametrize("name", CARRY_TEXT)
def test_hidden_characters_are_shown_as_visible_escapes(db: str, name: str) -> None:
    out = _output(db, name).stdout
    assert "\\x1b[2K" in out and "\\x1b]0;owned\\x07" in out
    assert "\\u202eRLO" in out and "\\u200bzw" in out
    if "markdown" not in name:  # Markdown cells put their text on one line: LF, CR, U+2028 as spaces
        assert "forged\\nFORGED" in out and "\\u2028LS\\u2029PS" in out


def test_a_refusal_quoting_stored_text_is_one_escaped_error_line(copy: str) -> None:
    result = invoke(copy, "begin-persuasion", str(CRIMINAL), "--at", "1961-11-20")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: begin_persuasion refused") and result.stderr.count("\n") == 1
    assert "-crime\\x1b[2K" in result.stderr and "\\u202eRLO" in result.stderr
    assert not [ch for ch in RAW if ch in result.stderr]


@pytest.mark.parametrize("option", ["--name", "--native-name"])
def test_a_name_with_hidden_characters_is_refused_in_one_escaped_line(copy: str, option: str) -> None:
    names = {"--name": "Ri Chol", "--native-name": "리철"} | {option: "Ri" + HIDDEN}
    result = invoke(copy, "open", "--name", names["--name"], "--native-name", names["--native-name"],
                    "--crossed-on", "1961", "--place", "Changbai", "--at", "1961-11-20")
    assert result.exit_code != 0
    assert result.stderr.startswith(f"Error: {option}") and result.stderr.count("\n") == 1
    assert not [ch for ch in RAW if ch in result.stdout + result.stderr]
    assert "Ri Chol" not in invoke(copy, "list").stdout


def test_a_representative_or_an_amended_name_with_hidden_characters_is_refused(copy: str) -> None:
    _ok(copy, "open", "--name", "Pak Sun-hui", "--crossed-on", "1961", "--place", "Changbai",
        "--at", "1961-11-20")
    _ok(copy, "investigate", "4", "--citizenship", "dprk", "--at", "1961-11-20")
    _ok(copy, "begin-persuasion", "4", "--at", "1961-11-20")
    _ok(copy, "persuade", "4", "--outcome", "agreed", "--at", "1961-11-20")
    refused = {"--representative": invoke(copy, "hand-over", "4", "--representative", "Kang" + HIDDEN,
                                           "--crossing-point", "Changbai", "--at", "1961-11-21",
                                           actor="Kim"),
               "--value": invoke(copy, "amend", "4", "--field", "name", "--value", "Pak" + HIDDEN,
                                 "--reason", "typo", "--at", "1961-11-21")}
    for option, result in refused.items():
        assert result.exit_code != 0 and result.stderr.count("\n") == 1, result.stderr
        assert option in result.stderr or "name" in result.stderr
        assert not [ch for ch in RAW if ch in result.stderr]
    assert json.loads(invoke(copy, "show", "4", "--json").stdout)["state"] == "persuading"


def test_a_usage_error_quoting_the_input_is_escaped(db: str) -> None:
    result = invoke(db, "list", "--state", "persuading\x1b[2K\u202e")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "\\x1b[2K\\u202e" in result.stderr and "\x1b" not in result.stderr


def test_a_file_name_in_an_error_is_escaped(db: str, tmp_path: Path) -> None:
    target = tmp_path / "no\x1b[2Kdir\u202e" / "out.mmd"
    result = invoke(db, "diagram", "--output", str(target))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert "no\\x1b[2Kdir\\u202e" in result.stderr and "\x1b" not in result.stderr


# -- CSV --------------------------------------------------------------------------------

def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


# A cell each CSV export must hold neutralised (None: no stored text there starts a formula).
NEUTRALISED = {"log --csv": None, "list --csv": "'=Choe", "name-list csv": "'=amended" + SHOWN,
               "name-list --referred csv": "'-list" + SHOWN, "handovers --csv": "'=bridge" + SHOWN,
               "handover csv": "'-Han", "report overdue --csv": "'=Choe",
               "report compliance --csv": "'=open question" + SHOWN,
               "report summary --csv": "'@elsewhere" + SHOWN}


@pytest.mark.parametrize("name", CSV_COMMANDS)
def test_csv_cells_that_start_a_formula_are_neutralised(db: str, name: str) -> None:
    cells = _cells(_output(db, name).stdout)
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [c for c in cells if c.startswith("-") and not re.fullmatch(r"-\d+", c)]
    assert NEUTRALISED[name] is None or NEUTRALISED[name] in cells


def test_csv_numbers_stay_numbers_and_text_that_looks_like_one_is_neutralised() -> None:
    text = tables.csv_text([{"n": -3, "x": 1.5, "t": "-3", "b": "+1", "tab": "\tx"}],
                           ["n", "x", "t", "b", "tab"])
    assert text.splitlines()[1] == "-3,1.5,'-3,'+1,'\\tx"


def test_csv_cell_neutralises_each_owasp_formula_start() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_cell(start + "SUM(A1)").startswith("'")
    assert csv_cell("\tSUM") == "'\\tSUM" and csv_cell("Kim =1") == "Kim =1"


# -- JSON -------------------------------------------------------------------------------

JSON_COMMANDS = [["show", "1", "--json"], ["show", "1", "--timeline", "--json"], ["log", "--json"],
                 ["why", "2", "begin-persuasion", "--json"], ["next", "2", "--json"],
                 ["list", "--json"], ["name-list", "--format", "json"],
                 ["name-list", "--referred", "--format", "json"], ["handovers", "--json"],
                 ["handover", "1", "--format", "json"], ["report", "compliance", "--json"],
                 ["report", "summary", "--by", "place", "--json"]]


@pytest.mark.parametrize("args", JSON_COMMANDS, ids=" ".join)
def test_json_output_writes_hidden_characters_as_escapes_and_still_decodes(db: str, args: list[str]) -> None:
    result = invoke(db, *args)
    assert result.exit_code == 0, result.stderr
    assert not [ch for ch in RAW if ch in result.stdout]
    json.loads(result.stdout)


def test_json_output_decodes_to_exactly_the_stored_text(db: str) -> None:
    case = json.loads(invoke(db, "show", "1", "--json").stdout)
    facts = case["facts"]
    assert facts["place"] == STORED["amended"] and facts["purpose_note"] == STORED["purpose_note"]
    assert [a["method"] for a in facts["attempts"]] == [STORED["method"]] * 3
    assert facts["referral"]["list"] == STORED["list"]
    assert [(g["question"], g["answer"]) for g in facts["guidance"]] == \
        [(STORED["question"], STORED["answer"])]
    crime = json.loads(invoke(db, "show", "2", "--json").stdout)["facts"]["crime"]
    assert crime == STORED["crime"]
    group = json.loads(invoke(db, "handover", "1", "--format", "json").stdout)
    assert group["crossing_point"] == STORED["crossing_point"] and group["note"] == STORED["group_note"]


def test_json_output_of_a_trigger_is_exact_too(copy: str) -> None:
    result = invoke(copy, "request-guidance", str(REFERRED), "--question", "again" + HIDDEN,
                    "--at", "1961-11-20", "--json")
    assert result.exit_code == 0, result.stderr
    assert not [ch for ch in RAW if ch in result.stdout + result.stderr]
    guidance = json.loads(result.stdout)["facts"]["guidance"]
    assert guidance[-1]["question"] == "again" + HIDDEN


# -- diagrams -------------------------------------------------------------------------------

def _front_matter(mermaid: str) -> dict[str, str]:
    head, matter, _ = mermaid.split("---\n", 2)
    assert head == ""
    return yaml.safe_load(matter)


def test_mermaid_front_matter_is_yaml_that_keeps_a_title_with_colons_and_quotes(db: str) -> None:
    out = _output(db, "diagram mermaid").stdout
    assert _front_matter(out) == {"title": f"{POLICY.title}: case 1, {ELDER}"}


def test_a_hidden_character_in_a_diagram_title_is_escaped_in_mermaid_and_dot() -> None:
    title = f"T: {ELDER} #1; \\N " + HIDDEN
    mermaid = diagrams.mermaid(POLICY, title)
    assert _front_matter(mermaid) == {"title": term(title)}
    dot = str(diagrams.render(POLICY, "dot", title))
    for text in (mermaid, dot):
        assert not [ch for ch in RAW if ch in text]
        assert "FORGED" not in [line.strip()[:6] for line in text.splitlines()]
    quoted = re.match(r'digraph "((?:[^"\\]|\\.)*)" \{\n', dot)
    assert quoted is not None
    assert quoted.group(1) == 'T: Kim: \\"the elder\\" #1; \\\\N ' + SHOWN.replace("\\", "\\\\")


def test_mermaid_labels_write_what_would_break_them_as_entity_codes() -> None:
    assert label('a:b;c#d"e<br>f&g%h\\n\n\u2028', "mermaid") == \
        "a#58;b#59;c#35;d#34;e#60;br#62;f#38;g#37;h#92;n#92;n#92;u2028"


def test_dot_labels_double_backslashes_and_escape_quotes() -> None:
    assert label('say "hi"\\l\n', "dot") == 'say \\"hi\\"\\\\l\\\\n'


# -- the escape functions -------------------------------------------------------------------

def test_term_escapes_each_hidden_category_and_keeps_hangul_hanja_and_accents() -> None:
    assert term("\x1b\r\n\t\x00\x7f\x9b") == "\\x1b\\r\\n\\t\\x00\\x7f\\x9b"  # Cc, C1 included
    assert term("\u202e\u200b\ufeff\U000e0001") == "\\u202e\\u200b\\ufeff\\U000e0001"  # Cf
    assert term("\u2028\u2029") == "\\u2028\\u2029"  # Zl, Zp
    kept = "최명옥 李桂英 Émile Nguyễn\u3000\u00a0 \\x1b"
    assert term(kept) == kept


def test_json_safe_keeps_the_decoded_data_exact() -> None:
    data = {"k\u202e": ["\x1b[2K\r\n", "\u2028\u2029\u200b\ufeff\x7f\x9b", "\U000e0001", "최"]}
    for indent in (None, 2):
        text = json_safe(json.dumps(data, ensure_ascii=False, indent=indent))
        assert json.loads(text) == data
        assert all(line.isprintable() for line in text.split("\n"))
        assert "\\u202e" in text and "\\udb40\\udc01" in text and "최" in text


def test_a_table_column_is_padded_to_the_width_of_its_escaped_cells() -> None:
    rows = [{"a": "x\x1b[2K", "b": "1"}, {"a": "최", "b": "2"}]
    header, first, second = tables.text_lines(rows, ["a", "b"])
    assert first == "x\\x1b[2K  1"
    assert header.index("b") == first.rindex("1") == second.rindex("2") + 1  # 최 takes two columns
