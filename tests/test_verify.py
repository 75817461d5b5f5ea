"""Verification of the audit trail (issue 3): a database altered out of band with sqlite3
is caught, each problem named by the row's sequence number; an untouched one is clean."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from helpers.actors import ADMIN, new_database
from helpers.fixtures import fixed_clock
from crossings.cli import cli
from crossings.replay import replay_paths
from crossings.service import Service
from store.sqlite import schema
from workflow.audit import FIELDS, GENESIS, row_hash

CASES = Path(__file__).parent / "cases"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every case file replayed into one database: a trail of a few hundred rows."""
    path = tmp_path_factory.mktemp("pristine") / "changbai.db"
    files = sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json"))
    new_database(str(path), clock=fixed_clock).close()
    run = replay_paths(files, db=str(path), admin=ADMIN, clock=fixed_clock)
    assert run.ok, run.lines()
    return path


@pytest.fixture
def db(pristine: Path, tmp_path: Path) -> str:
    copy = tmp_path / "copy.db"
    shutil.copy(pristine, copy)
    return str(copy)


def verify(db: str, checkpoint: Any = None) -> dict[str, Any]:
    with Service.open(db, clock=fixed_clock) as service:
        return service.verify(checkpoint).as_dict()


def checkpoint(db: str) -> dict[str, Any]:
    with Service.open(db, clock=fixed_clock) as service:
        return service.checkpoint("Zhao")


APPEND_ONLY = [s for s in schema.table_statements() if s.startswith("CREATE TRIGGER audit_no_")]


def sql(db: str, *statements: str, params: tuple[Any, ...] = ()) -> None:
    """Alter the database behind crossings' back, as a careful forger would: the
    append-only triggers dropped first and put back, word for word, afterwards."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        for statement in statements:
            conn.execute(statement, params)
        for statement in APPEND_ONLY:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def one(db: str, query: str) -> Any:
    conn = sqlite3.connect(db)
    row = conn.execute(query).fetchone()
    conn.close()
    return row


def seqs(report: dict[str, Any], check: str | None = None) -> set[int | None]:
    return {p["seq"] for p in report["problems"] if check is None or p["check"] == check}


def unsigned(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The problems beside the signatures a rechained forgery always breaks."""
    return [p for p in report["problems"] if p["check"] != "signature"]


def rechain(db: str) -> None:
    """What a careful forger without the keys does: recompute every hash so the chain is
    consistent (the signatures it cannot remake)."""
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.row_factory = sqlite3.Row
    prev = GENESIS
    for row in conn.execute("SELECT * FROM audit ORDER BY seq").fetchall():
        full = {name: row[name] for name in FIELDS}
        full["prev_hash"] = prev
        prev = row_hash(full)
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?",
                     (full["prev_hash"], prev, row["seq"]))
    for statement in APPEND_ONLY[:1]:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_an_untouched_database_verifies_clean(db):
    report = verify(db)
    assert report["ok"], report["problems"]
    assert report["rows"] == one(db, "SELECT count(*) FROM audit")[0]
    assert report["cases"] == one(db, "SELECT count(*) FROM cases")[0]


def test_verify_command_exits_0_with_its_summary_alone_on_stdout_when_clean(db):
    result = CliRunner().invoke(cli, ["verify", "--db", db])
    assert result.exit_code == 0
    assert result.stdout.startswith("verified ") and result.stdout.endswith(": no problems\n")
    assert result.stdout.count("\n") == 1 and result.stderr == ""


def test_an_edited_fact_in_an_audit_row_is_found_at_its_seq(db):
    seq = one(db, "SELECT seq FROM audit WHERE trigger = 'investigate' AND outcome = 'applied' "
                  "AND changes LIKE '%\"dprk\"%' ORDER BY seq LIMIT 1")[0]
    sql(db, f"UPDATE audit SET changes = replace(changes, '\"dprk\"', '\"other\"') WHERE seq = {seq}")
    report = verify(db)
    assert seq in seqs(report, "chain")
    assert seq in seqs(report, "guard")  # the event re-run no longer gives these changes


def test_an_edited_case_row_is_found_naming_the_case(db):
    case_id, last = one(db, "SELECT case_id, max(seq) FROM audit WHERE trigger = "
                            "'grant_residency' AND outcome = 'applied'")
    sql(db, f"UPDATE cases SET state = 'returned' WHERE id = {case_id}")
    report = verify(db)
    [problem] = report["problems"]
    assert (problem["seq"], problem["case"], problem["check"]) == (last, case_id, "case")
    assert "state is returned, its rows give resident" in problem["message"]


def test_an_edited_fact_in_a_case_row_is_found(db):
    sql(db, "UPDATE cases SET facts = json_set(facts, '$.crime', NULL) WHERE facts LIKE "
            "'%theft of grain in Badaogou%'")
    [problem] = verify(db)["problems"]
    assert "facts crime differ" in problem["message"]


def test_a_deleted_row_is_found_at_the_gap(db):
    sql(db, "DELETE FROM audit WHERE seq = 40")
    report = verify(db)
    assert 41 in seqs(report, "chain")
    assert any("row 40 is missing" in p["message"] for p in report["problems"])


def test_two_swapped_rows_are_found_at_both_seqs(db):
    sql(db, "UPDATE audit SET seq = -1 WHERE seq = 30", "UPDATE audit SET seq = 30 WHERE seq = 31",
        "UPDATE audit SET seq = 31 WHERE seq = -1")
    assert {30, 31} <= seqs(verify(db), "chain")


def test_a_truncated_tail_is_found_against_a_checkpoint(db):
    taken = checkpoint(db)
    sql(db, f"DELETE FROM audit WHERE seq > {taken['rows'] - 5}")
    report = verify(db, taken)
    assert any(p["check"] == "checkpoint" and p["message"].startswith("truncated")
               for p in report["problems"])
    assert taken["seq"] in seqs(report, "checkpoint")  # its head row is gone too


def test_an_edited_and_rechained_trail_is_found_by_its_signatures_and_the_checkpoint(db):
    taken = checkpoint(db)
    sql(db, "UPDATE audit SET reason = 'nothing to see' WHERE seq = 50")
    rechain(db)
    report = verify(db)
    assert 50 in seqs(report, "signature")  # the chain is whole again; the signature is not
    assert not seqs(report, "chain")
    against = verify(db, taken)
    assert taken["seq"] in seqs(against, "checkpoint")
    assert any("rewritten or rolled back" in p["message"] for p in against["problems"])


def test_a_rollback_to_an_older_copy_is_found_against_a_checkpoint(db, tmp_path):
    older = tmp_path / "older.db"
    shutil.copy(db, older)
    with Service.open(db, clock=fixed_clock) as service:
        service.set_setting("short_period_days", 20, ADMIN)
        taken = service.checkpoint("Zhao")
    with Service.open(str(older), clock=fixed_clock) as service:
        service.set_setting("short_period_days", 30, ADMIN)  # the old copy goes on differently
    report = verify(str(older), taken)
    assert seqs(report, "checkpoint") == {taken["seq"]}


def test_a_removed_attempt_with_a_rechained_trail_is_a_guard_divergence(db):
    """The forger deletes the third refusal and recomputes the chain: the referral that
    followed no longer holds on the facts as they stood (Temporal's divergence)."""
    case_id = one(db, "SELECT case_id FROM audit WHERE trigger = 'grant_residency' AND "
                      "outcome = 'applied' ORDER BY seq LIMIT 1")[0]
    third = one(db, f"SELECT seq FROM audit WHERE case_id = {case_id} AND trigger = 'persuade' "
                    "ORDER BY seq LIMIT 1 OFFSET 2")[0]
    refer = one(db, f"SELECT seq FROM audit WHERE case_id = {case_id} AND trigger = 'refer' "
                    "AND outcome = 'applied'")[0]
    sql(db, f"DELETE FROM audit WHERE seq = {third}",
        f"UPDATE audit SET seq = seq - 1 WHERE seq > {third}")
    rechain(db)
    report = verify(db)
    assert not seqs(report, "chain")
    guard = [p for p in report["problems"] if p["check"] == "guard"]
    assert guard[0]["seq"] == refer - 1
    assert "needs 3 refused attempts; 2 are recorded" in guard[0]["message"]


def test_rows_recorded_under_another_policy_version_are_named_not_rerun(db):
    sql(db, "UPDATE audit SET policy_version = '0' WHERE case_id = 1")
    rechain(db)
    report = verify(db)
    assert seqs(report, "signature")
    [problem] = [p for p in unsigned(report) if p["check"] == "policy"]
    assert "recorded under policy jilin-1961@0" in problem["message"]
    [pin] = [p for p in unsigned(report) if p["check"] == "case"]  # the case row's pin
    assert "column policy is 'jilin-1961@2', its rows give 'jilin-1961@0'" in pin["message"]


def test_a_guard_list_unlike_the_policys_is_a_divergence_naming_both(db):
    """As when the policy's guards change and its version does not."""
    seq, guards = one(db, "SELECT seq, guards FROM audit WHERE trigger = 'grant_residency' "
                          "AND outcome = 'applied' ORDER BY seq LIMIT 1")
    sql(db, "UPDATE audit SET guards = ? WHERE seq = ?",
        params=(json.dumps(json.loads(guards)[1:], sort_keys=True, ensure_ascii=False,
                           separators=(",", ":")), seq))
    rechain(db)
    report = verify(db)
    assert seq in seqs(report, "signature")
    [problem] = unsigned(report)
    assert (problem["seq"], problem["check"]) == (seq, "guard")
    assert "the row records [consulate_agreed, no_crime_recorded]" in problem["message"]


def test_a_setting_changed_out_of_band_is_found(db):
    sql(db, "INSERT OR REPLACE INTO settings (name, value) VALUES ('transfer_cutoff', '\"1961-12-31\"')")
    [problem] = verify(db)["problems"]
    assert problem["check"] == "setup"
    assert "transfer_cutoff" in problem["message"]


def test_verify_command_prints_each_problem_with_its_seq_and_exits_1(db):
    sql(db, "DELETE FROM audit WHERE seq = 40")
    result = CliRunner().invoke(cli, ["verify", "--db", db])
    assert result.exit_code == 1
    assert result.stdout.startswith("seq 41 ")
    assert result.stderr.startswith("Error: verified ")


def test_verify_json_lists_the_problems(db):
    sql(db, "DELETE FROM audit WHERE seq = 40")
    result = CliRunner().invoke(cli, ["verify", "--db", db, "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["problem_count"] == len(data["problems"]) >= 1


def test_checkpoint_command_writes_a_file_verify_reads(db, tmp_path):
    out = tmp_path / "changbai.checkpoint.json"
    runner = CliRunner()
    assert runner.invoke(cli, ["checkpoint", "--db", db, "--out", str(out), "--as", "Zhao"]
                         ).exit_code == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    assert (written["rows"], written["hash"]) == one(db, "SELECT count(*), (SELECT hash FROM "
                                                         "audit ORDER BY seq DESC LIMIT 1) "
                                                         "FROM audit")
    assert runner.invoke(cli, ["verify", "--db", db, "--checkpoint", str(out)]).exit_code == 0
    sql(db, f"DELETE FROM audit WHERE seq = {written['seq']}")
    result = runner.invoke(cli, ["verify", "--db", db, "--checkpoint", str(out)])
    assert result.exit_code == 1
    assert f"seq {written['seq']} [checkpoint]" in result.stdout


def test_checkpoint_command_prints_json_to_stdout(db):
    result = CliRunner().invoke(cli, ["checkpoint", "--db", db, "--as", "Zhao"])
    assert result.exit_code == 0
    assert set(json.loads(result.stdout)) == {"database", "rows", "seq", "hash", "at", "signer",
                                              "signature"}


def test_a_file_that_is_not_a_checkpoint_is_refused(db, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    result = CliRunner().invoke(cli, ["verify", "--db", db, "--checkpoint", str(bad)])
    assert result.exit_code == 1
    assert "is not a signed checkpoint" in result.stderr


def test_worker_processes_find_what_one_process_finds(db):
    """Large trails are verified in worker processes (chain, case ranges): same report."""
    sql(db, "DELETE FROM audit WHERE seq = 40", "UPDATE cases SET state = 'returned' WHERE id = 3",
        "DELETE FROM cases WHERE id = (SELECT max(id) FROM cases)")
    with Service.open(db) as service:
        serial, parallel = service.verify(workers=1).as_dict(), service.verify(workers=2).as_dict()
    assert len(serial["problems"]) >= 4
    assert parallel == serial


def test_a_row_moved_to_a_case_id_no_case_can_have_is_found_by_every_process_count(db):
    """Each row's content is hashed with its case: a row moved to case -7 or 0 (outside
    every case number) is still checked, in one process or in workers' open ranges."""
    sql(db, "UPDATE audit SET case_id = -7 WHERE seq = 40",
        "UPDATE audit SET case_id = 0 WHERE seq = 41")
    with Service.open(db) as service:
        serial, parallel = service.verify(workers=1).as_dict(), service.verify(workers=2).as_dict()
    altered = {p["seq"] for p in serial["problems"]
               if p["check"] == "chain" and "hash does not match" in p["message"]}
    assert altered == {40, 41}
    assert parallel == serial


def _hide_from_the_case_index(db: str, seq: int) -> None:
    """The forger's trick a reviewer found: the case index rebuilt without one row, so
    every query that reads the trail by case passes over it (the table itself intact)."""
    conn = sqlite3.connect(db)
    try:
        conn.execute(f"CREATE INDEX evil ON audit(case_id, seq) WHERE seq <> {seq}")
        pages = dict(conn.execute("SELECT name, rootpage FROM sqlite_master "
                                  "WHERE name IN ('evil', 'audit_case')").fetchall())
        conn.execute("PRAGMA writable_schema = ON")
        for name, other in (("audit_case", "evil"), ("evil", "audit_case")):
            conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = ?",
                         (pages[other], name))
        conn.execute("PRAGMA writable_schema = OFF")
        conn.commit()
    finally:
        conn.close()
    conn = sqlite3.connect(db)
    try:
        conn.execute("DROP INDEX evil")
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("where", ["case_id IS NOT NULL AND outcome = 'refused'",
                                   "case_id IS NULL AND seq > 1"])
def test_a_forged_row_left_out_of_the_case_index_is_still_found(db, where):
    """A refused row (which moves no case) or a set-up row, forged and hidden from the
    index the case and set-up passes read through: the chain's links still count it."""
    seq = one(db, f"SELECT max(seq) FROM audit WHERE {where}")[0]
    sql(db, "UPDATE audit SET reason = 'TAMPERED', given = '{\"forged\": true}', "
        f"signature = 'AAAA' WHERE seq = {seq}")
    _hide_from_the_case_index(db, seq)
    with Service.open(db) as service:
        serial, parallel = service.verify(workers=1).as_dict(), service.verify(workers=2).as_dict()
    assert not serial["ok"]
    assert any(p["check"] == "chain" and "not the rows of the chain" in p["message"]
               for p in serial["problems"])
    assert parallel == serial


def _verify_peak_bytes(path: str) -> int:
    import tracemalloc

    with Service.open(path) as service:
        tracemalloc.start()
        try:
            report = service.verify().as_dict()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert report["ok"], report["problems"][:3]
    return peak


def test_verify_memory_does_not_grow_with_the_number_of_events(tmp_path):
    from benchmark.synthetic import build

    # Both above 500 cases: the store reads rows 500 at a time, so a smaller trail would
    # not fill one batch and would look cheaper than the steady state.
    small, large = str(tmp_path / "small.db"), str(tmp_path / "large.db")
    build(small, 4_000)
    build(large, 12_000)
    _verify_peak_bytes(small)  # the first run imports and builds what later runs share
    assert _verify_peak_bytes(large) < 1.1 * _verify_peak_bytes(small)


AUDIT_COLUMNS = (*FIELDS, "hash")
ODD_VALUES = (None, "", "x", -1, "{}", "[1]")


def test_any_one_cell_altered_is_found_and_never_crashes_verify(pristine, tmp_path):
    """Every column of a mid-trail applied row, set to odd values: a problem each time."""
    seq = one(str(pristine), "SELECT seq FROM audit WHERE trigger = 'persuade' AND "
                             "outcome = 'applied' ORDER BY seq LIMIT 1 OFFSET 3")[0]
    missed = []
    for column in AUDIT_COLUMNS:
        before = one(str(pristine), f"SELECT {column} FROM audit WHERE seq = {seq}")[0]
        for value in (v for v in ODD_VALUES if v != before):
            copy = tmp_path / "odd.db"
            shutil.copy(pristine, copy)
            try:
                sql(str(copy), f"UPDATE audit SET {column} = ? WHERE seq = {seq}", params=(value,))
            except sqlite3.IntegrityError:
                continue  # NOT NULL, CHECK or STRICT refused the value: nothing to find
            if verify(str(copy))["ok"]:
                missed.append((column, value))
    assert missed == []


CASE_COLUMNS = ("state", "version", "name", "native_name", "facts", "flagged", "opened_on",
                "updated_at")


def test_any_one_cell_of_a_case_row_altered_is_found(pristine, tmp_path):
    missed = []
    for column in CASE_COLUMNS:
        before = one(str(pristine), f"SELECT {column} FROM cases WHERE id = 2")[0]
        for value in (v for v in (*ODD_VALUES, 0, 1, "returned") if v != before):
            copy = tmp_path / "odd.db"
            shutil.copy(pristine, copy)
            try:
                sql(str(copy), f"UPDATE cases SET {column} = ? WHERE id = 2", params=(value,))
            except sqlite3.IntegrityError:
                continue
            except sqlite3.OperationalError as refused:  # the report indexes read facts
                assert column == "facts" and "malformed JSON" in str(refused)
                continue
            if verify(str(copy))["ok"]:
                missed.append((column, value))
    assert missed == []
