"""Faults on write: a failing SQL statement at every step of a command, and a full disk.

For each command, the driver connection is made to fail at statement 1, 2, ... until the
command completes (``tests/helpers/faulty.py``). Each failure must surface as a clear
``WorkflowError`` (``StoreError``, or ``Conflict`` for a lock), leave the database exactly
as it was (a full SQL dump compared before and after), and leave the connection usable:
the same command succeeds when retried. A full database (``PRAGMA max_page_count``) and
a full disk (a tiny tmpfs, when the tests run as root) are checked the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any, Callable

import pytest

from helpers import faulty
from helpers.chain import connect, database_problems, dump
from helpers.actors import ADMIN, new_database
from crossings.keys import PrivateKey
from crossings.service import Service
from workflow import Conflict, GuardRefused, RoleRefused, StoreError, WorkflowError

AT = "1961-11-20"
GROUP = {"representative": "Ri Chol", "crossing_point": "Changbai-Hyesan bridge"}
ACTORS = {"Zhao": "county-officer", "Kim": "border-defence"}
FAULTY = str(Path(__file__).parent / "helpers" / "faulty.py")


def clock() -> dt.datetime:
    return dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.timezone.utc)


def _persuading(svc: Service, name: str, spouse: str, outcomes: list[str]) -> int:
    case = svc.fire("open", None, "Zhao", at="1961-11-10", name=name, crossed_on="1961-10",
                         place="Badaogou")
    svc.fire("investigate", case.id, "Zhao", at="1961-11-12", citizenship="dprk",
             purpose="other", spouse=spouse)
    svc.fire("begin_persuasion", case.id, "Zhao", at="1961-11-12")
    for outcome in outcomes:
        svc.fire("persuade", case.id, "Zhao", at="1961-11-14", outcome=outcome)
    return case.id


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("faults") / "template.db")


def build_template(path: Path) -> Path:
    """Case 1 detained; cases 2 and 3 ready for return; case 4 married, 2 refusals."""
    with new_database(str(path), clock=clock) as svc:
        svc.fire("open", None, "Zhao", at="1961-11-10", name="Ri Ok", crossed_on="1961-10",
                      place="Badaogou")
        _persuading(svc, "Pak Sun-hui", "none", ["agreed"])
        _persuading(svc, "Kim Yong-su", "none", ["refused", "agreed"])
        _persuading(svc, "Choe Myong-ok", "chinese-korean", ["refused", "refused"])
    return path


def _batch(svc: Service) -> None:
    with svc.batch():
        svc.fire("persuade", 4, "Zhao", at=AT, outcome="refused")
        svc.fire("provide", 4, "Zhao", at=AT, items="food,clothing")
        svc.fire("open", None, "Zhao", at=AT, name="Han Ok-sun", crossed_on="1961-05", place="Changbai")


PAK = PrivateKey.generate()

# name -> (the command, what it raises when nothing fails: None, GuardRefused, ...)
COMMANDS: dict[str, tuple[Callable[[Service], Any], type[Exception] | None]] = {
    # With a public key made elsewhere: the sweep adds Pak to copies of one database, and a
    # key made here would be kept once per database, in the one key directory.
    "actor add": (lambda s: s.add_actor("Pak", "county-officer", ADMIN,
                                        public_key=PAK.public), None),
    "setting set": (lambda s: s.set_setting("short_period_days", 20, ADMIN), None),
    "open": (lambda s: s.fire("open", None, "Zhao", at=AT, name="Ri Chol", crossed_on="1961-10",
                                   place="Badaogou"), None),
    "investigate": (lambda s: s.fire("investigate", 1, "Zhao", at=AT, citizenship="dprk",
                                     purpose="other", spouse="none"), None),
    "persuade": (lambda s: s.fire("persuade", 4, "Zhao", at=AT, outcome="refused"), None),
    "refer, refused by a guard": (lambda s: s.fire("refer", 4, "Zhao", at=AT), GuardRefused),
    "persuade, refused by role": (lambda s: s.fire("persuade", 4, "Kim", at=AT,
                                                   outcome="agreed"), RoleRefused),
    "hand-over of a group": (lambda s: s.fire("hand_over", [2, 3], "Kim", at=AT, **GROUP), None),
    "persuade with a retry key": (lambda s: s.fire("persuade", 4, "Zhao", at=AT,
                                                   request_id="r-1", outcome="agreed"), None),
    "batch of three": (_batch, None),
}
KINDS = {"io": StoreError, "locked": Conflict, "full": StoreError}


def _attempt(command: Callable[[Service], Any], svc: Service) -> Exception | None:
    try:
        command(svc)
    except WorkflowError as error:
        return error
    return None


def _fault_at(template: Path, work: Path, name: str, kind: str, k: int) -> dict[str, Any]:
    """Run one command with statement k failing; what happened, and what it left."""
    db = work / f"{k}.db"
    shutil.copy(template, db)
    before = dump(db)
    command, normal = COMMANDS[name]
    with Service.open(str(db), clock=clock) as svc:
        real = svc.store.conn
        fault = faulty.FaultyConnection(real, k, faulty.ERRORS[kind])
        svc.store.conn = fault  # type: ignore[assignment]
        error = _attempt(command, svc)
        svc.store.conn = real
        left_open = real.in_transaction
        unchanged = dump(db) == before
        retry = _attempt(command, svc) if fault.fired else None
    return {"k": k, "fired": fault.fired, "sql": fault.failed_sql, "error": error,
            "unchanged": unchanged, "left_open": left_open, "retry": retry,
            "normal": normal}


def _problems(result: dict[str, Any], kind: str) -> list[str]:
    where = f"statement {result['k']} ({result['sql']})"
    error, normal = result["error"], result["normal"]
    problems = []
    if not isinstance(error, KINDS[kind]):
        problems.append(f"{where}: raised {error!r}, not a {KINDS[kind].__name__}")
    elif "\n" in str(error) or not str(error).strip():
        problems.append(f"{where}: message is not one line: {str(error)!r}")
    if not result["unchanged"]:
        problems.append(f"{where}: the database changed")
    if result["left_open"]:
        problems.append(f"{where}: a transaction was left open")
    if type(result["retry"]) is not (normal or type(None)):
        problems.append(f"{where}: the retry gave {result['retry']!r}")
    return problems


def sweep(template: Path, work: Path, name: str, kind: str) -> tuple[int, list[str]]:
    """Fail statement 1, 2, ... of the command until it completes; the number of
    statements failed and the problems found."""
    problems: list[str] = []
    for k in range(1, 200):
        result = _fault_at(template, work, name, kind, k)
        if not result["fired"]:
            break
        problems += _problems(result, kind)
    if type(result["error"]) is not (result["normal"] or type(None)):
        problems.append(f"without a fault: {result['error']!r}")
    return k - 1, problems


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_failure_at_any_statement_writes_nothing_and_the_retry_succeeds(
        template: Path, tmp_path: Path, name: str, kind: str) -> None:
    steps, problems = sweep(template, tmp_path, name, kind)
    assert steps > 3, "the command ran fewer statements than expected"
    assert problems == []


def _cli_at(template: Path, work: Path, k: int, args: list[str]) -> dict[str, Any]:
    db, report = work / f"cli{k}.db", work / f"cli{k}.json"
    shutil.copy(template, db)
    before = dump(db)
    done = subprocess.run([sys.executable, FAULTY, str(k), "io", "--", *args, "--db", str(db)],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "FAULTY_REPORT": str(report)})
    return {"exit": done.returncode, "stderr": done.stderr, "unchanged": dump(db) == before,
            **json.loads(report.read_text())}


def test_the_command_line_fails_at_any_statement_with_one_error_line(template, tmp_path):
    args = ["persuade", "4", "--outcome", "refused", "--at", AT, "--as", "Zhao"]
    outcomes = []
    for k in range(1, 200):
        result = _cli_at(template, tmp_path, k, args)
        if not result["fired"]:
            break
        outcomes.append((k, result["exit"], result["stderr"].count("\n"),
                         result["stderr"].startswith("Error: "), result["unchanged"]))
    assert result["exit"] == 0 and not result["unchanged"]
    assert len(outcomes) > 3
    assert [o for o in outcomes if o[1:] != (1, 1, True, True)] == []


def _carry_on(svc: Service) -> list[WorkflowError]:
    """A batch whose caller skips a failed command and goes on (as a bulk replay may)."""
    failed = []
    with svc.batch():
        for command in (COMMANDS["persuade"][0], COMMANDS["open"][0],
                        COMMANDS["investigate"][0]):
            try:
                command(svc)
            except (StoreError, Conflict) as error:
                failed.append(error)
    return failed


def test_a_failed_command_inside_a_batch_never_leaves_half_a_command(template, tmp_path):
    # A fault before a command writes undoes only that command; one after it began writing
    # rolls the whole batch back and the batch's later commands fail: either way every
    # command is applied or failed, never half, and the file checks clean.
    outcomes = []
    for k in range(1, 200):
        db = tmp_path / f"{k}.db"
        shutil.copy(template, db)
        rows_before = _applied_rows(db)
        with Service.open(str(db), clock=clock) as svc:
            svc.store.conn = fault = faulty.FaultyConnection(svc.store.conn, k, "disk I/O error")
            try:
                failed = len(_carry_on(svc))
            except StoreError:
                failed = 3  # BEGIN or COMMIT failed: the whole batch is undone
        if not fault.fired:
            break
        outcomes.append((k, failed, _applied_rows(db) - rows_before, database_problems(db)))
    assert len(outcomes) > 10
    assert [o for o in outcomes if o[1] + o[2] != 3 or o[3]] == []


def _applied_rows(db: Path) -> int:
    with closing(connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM audit WHERE outcome = 'applied' "
                                "AND case_id IS NOT NULL").fetchone()[0])


def test_a_full_database_fails_the_write_with_a_store_error_and_changes_nothing(tmp_path):
    db = tmp_path / "full.db"
    with new_database(str(db), clock=clock) as svc:
        pages = svc.store.conn.execute("PRAGMA page_count").fetchone()[0]
        svc.store.conn.execute(f"PRAGMA max_page_count = {pages}")
        before, error = dump(db), None
        for _ in range(20):  # until a write needs a page the file may not have
            before = dump(db)
            error = _attempt(lambda s: s.fire("open", None, "Zhao", at=AT, name="Ri Chol",
                                                   crossed_on="1961", place="Badaogou",
                                                   note="n" * 3000), svc)
            if error is not None:
                break
        assert isinstance(error, StoreError) and "no space left" in str(error)
        assert dump(db) == before
        assert not svc.store.conn.in_transaction


def _mount_tiny_disk(path: Path) -> bool:
    path.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(path)],
                          capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Any:
    """A 512 KB tmpfs (root only; skipped otherwise), unmounted afterwards."""
    path = tmp_path / "tiny"
    if not _mount_tiny_disk(path):
        pytest.skip("mounting a tiny tmpfs needs root")
    yield path
    subprocess.run(["umount", "-l", str(path)], check=False)


def _fill(disk: Path) -> None:
    """Take every free block of the disk."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def _crossings(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crossings", *args, "--db", str(db)],
                          capture_output=True, text=True, check=False)


FULL_DISK_COMMANDS = [
    ["open", "--name", "Ri Chol", "--crossed-on", "1961", "--place", "Badaogou", "--at", AT,
     "--as", "Zhao", "--note", "n" * 3000],
    ["persuade", "4", "--outcome", "refused", "--at", AT, "--as", "Zhao"],
    ["refer", "4", "--at", AT, "--as", "Zhao"],
    ["hand-over", "2", "3", "--representative", "Ri Chol", "--crossing-point", "Changbai",
     "--at", AT, "--as", "Kim"],
]


@pytest.mark.parametrize("others_open", [True, False], ids=["clerks-at-work", "idle"])
def test_a_full_disk_fails_each_write_with_one_error_line_and_changes_nothing(
        template, tiny_disk, others_open):
    """With another clerk's connection open, the shared-memory file (-shm) exists and the
    write itself fails; on an idle file copied without its -shm, even reading cannot
    create one. The dump after is taken once the disk has room again."""
    db = tiny_disk / "c.db"
    shutil.copy(template, db)
    before, results = dump(db), []
    with closing(connect(db)) as other_clerk:
        other_clerk.execute("SELECT count(*) FROM cases").fetchone()
        if not others_open:
            other_clerk.close()
        _fill(tiny_disk)
        results = [(args[0], _crossings(db, *args)) for args in FULL_DISK_COMMANDS]
    (tiny_disk / "filler").unlink()
    assert dump(db) == before
    for command, done in results:
        assert done.returncode == 1, (command, done.stderr)
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("Error: "), done.stderr
        assert "no space left" in done.stderr or "is the disk full" in done.stderr, done.stderr
