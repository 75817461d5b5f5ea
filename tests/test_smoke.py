"""The shortest walk through the CLI: open, investigate, persuade, and read it back."""

import json

from crossings.service import Command


def test_open_prints_the_new_case_id_alone(run):
    result = run("open", "--name", "Choe Myong-ok", "--native-name", "최명옥",
                 "--crossed-on", "1961-03-20", "--place", "Badaogou", "--at", "1961-11-12",
                 actor="Zhao")
    assert result.exit_code == 0
    assert result.stdout == "1\n"


def test_refusal_is_one_line_naming_the_clause_and_is_recorded(run):
    run("open", "--name", "A", "--crossed-on", "1961", "--place", "X", "--at", "1961-11-12",
        actor="Zhao")
    run("investigate", "1", "--citizenship", "dprk", "--at", "1961-11-13", actor="Zhao")
    run("begin-persuasion", "1", "--at", "1961-11-13", actor="Zhao")
    result = run("refer", "1", "--at", "1961-11-14", actor="Zhao")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: refer refused for case 1")
    assert "(P3)" in result.stderr
    rows = json.loads(run("log", "--case", "1", "--outcome", "refused", "--json").stdout)
    assert [(r["trigger"], r["clauses"]) for r in rows] == [("refer", ["P3"])]


def test_a_refused_group_leaves_no_group_number_behind(service):
    import pytest

    from workflow import GuardRefused

    def persuading(name, outcome):
        case = service.fire("open", None, "Zhao", at="1961-11-10", name=name, crossed_on="1961",
                                 place="Changbai")
        service.fire("investigate", case.id, "Zhao", at="1961-11-11", citizenship="dprk")
        service.fire("begin_persuasion", case.id, "Zhao", at="1961-11-11")
        service.fire("persuade", case.id, "Zhao", at="1961-11-12", outcome=outcome)
        return case.id

    ready, refuser = persuading("A", "agreed"), persuading("B", "refused")
    with pytest.raises(GuardRefused):
        service.run(Command.of("hand_over", [ready, refuser], "Kim", at="1961-11-20", representative="R",
                          crossing_point="Bridge"))
    refused_rows = list(service.log(trigger="hand_over"))
    assert [r["group_id"] for r in refused_rows] == [None, None]
    group = service.run(Command.of("hand_over", [ready], "Kim", at="1961-11-21", representative="R",
                              crossing_point="Bridge")).group
    assert group is not None and group.id == 1
    assert [r["group_id"] for r in service.log(trigger="hand_over", outcome="applied")] == [1]
