"""One clerk, as a separate process: fires conflicting triggers at a shared database.

    python tests/clerk.py MODE DB SCENARIO COUNT INDEX

MODE says how each attempt reaches crossings:

* ``api``   - the Python API: one ``Service`` for the whole run, ``fire``/``hand_over``
  per attempt (a clerk's long-lived session);
* ``cli``   - the command line, in this process: ``crossings.cli.main`` per attempt,
  which opens and closes the database each time like a real ``crossings`` run; stdout,
  stderr and the exit status are captured (fast: no interpreter start per attempt);
* ``spawn`` - the command line as a real ``python -m crossings`` process per attempt
  (slow, about 150 ms each, so the suite runs it with small counts).

SCENARIO (see :func:`command`):

* ``persuade``  - every attempt persuades case 1;
* ``hand-over`` - in round j, clerk INDEX hands over cases 4j+1+INDEX and
  4j+1+(INDEX+1)%4, overlapping its neighbours' groups;
* ``cycle``     - case 1 is driven round persuading -> referred -> persuading: clerks 0
  and 1 persuade (refused), clerk 2 refers, clerk 3 records the consulate declining and
  resumes persuasion; most attempts meet a state another clerk just changed;
* ``persuade-retried`` - as ``persuade``, each attempt with its own retry key
  (``--request-id``) and, when it fails with an error that is not the policy's (the server
  went away), retried with the same key until it goes through: a clerk whose server was
  restarted under it (PostgreSQL). Each record keeps the error lines it met.

The clerk prints ``ready``, waits for a line on stdin so that all clerks start together,
then prints one JSON list of attempt records.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import subprocess
import sys
import time
from typing import Any, NamedTuple

from crossings.service import Service
from workflow import Conflict, InvalidTransition, Refused, WorkflowError

DATES = ("1961-11-20",)  # one day: a case's events never run backwards
GROUP_OPTIONS = {"representative": "Ri Chol", "crossing_point": "Changbai-Hyesan bridge"}


class Attempt(NamedTuple):
    trigger: str
    case_ids: list[int]
    actor: str
    params: dict[str, str]

    def args(self) -> list[str]:
        options = [x for k, v in self.params.items() for x in ("--" + k.replace("_", "-"), v)]
        return [self.trigger.replace("_", "-"), *map(str, self.case_ids), *options,
                "--as", self.actor]


def command(scenario: str, i: int, index: int) -> Attempt:
    at = DATES[i % len(DATES)]
    note = f"clerk {index} attempt {i}"
    if scenario == "persuade-retried":
        persuade = command("persuade", i, index)
        return persuade._replace(params={**persuade.params, "request_id": f"clerk{index}-{i}"})
    if scenario == "persuade":
        outcome = "refused" if (i + index) % 2 else "agreed"
        return Attempt("persuade", [1], "Zhao", {"outcome": outcome, "at": at, "note": note})
    if scenario == "hand-over":
        base = 4 * i + 1
        group = [base + index, base + (index + 1) % 4]
        return Attempt("hand_over", group, "Kim",
                       {**GROUP_OPTIONS, "at": "1961-11-25", "note": note})
    if index < 2:
        return Attempt("persuade", [1], "Zhao", {"outcome": "refused", "at": at, "note": note})
    if index == 2:
        return Attempt("refer", [1], "Zhao", {"at": at, "note": note})
    if i % 2 == 0:
        return Attempt("consulate_reply", [1], "Liu",
                       {"reply": "declined", "at": at, "note": note})
    return Attempt("resume_persuasion", [1], "Liu", {"at": at, "note": note})


def kind_of(error: WorkflowError) -> str:
    if isinstance(error, Conflict):
        return "conflict"
    if isinstance(error, Refused):
        return "refused"
    if isinstance(error, InvalidTransition):
        return "inapplicable"
    return "error"


def kind_of_message(exit_code: Any, stderr: str) -> str:
    if exit_code == 0:
        return "applied"
    if " refused " in stderr:
        return "refused"
    if "Error: can't " in stderr:
        return "inapplicable"
    if "changed since" in stderr or "busy" in stderr:
        return "conflict"
    return "error"


def api_attempt(service: Service, cmd: Attempt) -> dict[str, Any]:
    try:
        service.fire(cmd.trigger, cmd.case_ids, cmd.actor, **cmd.params)
        return {"kind": "applied", "exit": 0, "stderr": ""}
    except WorkflowError as error:
        return {"kind": kind_of(error), "exit": 1, "stderr": f"Error: {error.one_line()}\n"}


def cli_attempt(db: str, cmd: Attempt) -> dict[str, Any]:
    from crossings.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: Any = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([*cmd.args(), "--db", db])
        except SystemExit as stop:
            code = stop.code
        except Exception as error:  # a traceback would reach the user: record it
            err.write(f"Traceback: {type(error).__name__}: {error}\n")
            code = "traceback"
    return {"kind": kind_of_message(code, err.getvalue()), "exit": code,
            "stderr": err.getvalue()}


def spawn_attempt(db: str, cmd: Attempt) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "crossings", *cmd.args(), "--db", db],
                          capture_output=True, text=True, check=False)
    return {"kind": kind_of_message(done.returncode, done.stderr), "exit": done.returncode,
            "stderr": done.stderr}


RETRIES = 600  # 0.05 s apart: half a minute for a server to come back


def retried(db: str, cmd: Attempt) -> dict[str, Any]:
    """The attempt, repeated with its retry key while it fails for want of a server."""
    errors: list[str] = []
    record = cli_attempt(db, cmd)
    while record["kind"] == "error" and len(errors) < RETRIES:
        errors.append(record["stderr"])
        time.sleep(0.05)
        record = cli_attempt(db, cmd)
    return {**record, "errors": errors}


def run(mode: str, db: str, scenario: str, count: int, index: int) -> list[dict[str, Any]]:
    records = []
    service = Service.open(db) if mode == "api" else None
    try:
        for i in range(count):
            cmd = command(scenario, i, index)
            if service is not None:
                time.sleep(random.uniform(0, 0.002))  # a clerk's pause between commands
                record = api_attempt(service, cmd)
            elif mode == "cli" and scenario == "persuade-retried":
                record = retried(db, cmd)
            elif mode == "cli":
                record = cli_attempt(db, cmd)
            else:
                record = spawn_attempt(db, cmd)
            records.append({**record, "trigger": cmd.trigger, "cases": cmd.case_ids})
    finally:
        if service is not None:
            service.close()
    return records


def main(argv: list[str]) -> None:
    mode, db, scenario, count, index = argv
    print("ready", flush=True)
    sys.stdin.readline()
    records = run(mode, db, scenario, int(count), int(index))
    print(json.dumps(records), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
