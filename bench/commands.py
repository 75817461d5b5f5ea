"""Real subprocesses of the installed console scripts, timed and measured one by one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .common import ROOT

BIN = Path(sys.executable).parent


def script(name: str) -> str:
    """The console script NAME installed beside this Python (crossings, sqlite-utils)."""
    path = BIN / name
    return str(path) if path.exists() else name


def compiled() -> None:
    """Write the packages' .pyc files, as an install does (this machine sets
    PYTHONDONTWRITEBYTECODE, so an editable install would compile every module on every
    start and the latency measured would not be a user's)."""
    import compileall

    for package in ("workflow", "store", "crossings"):
        compileall.compile_dir(str(ROOT / package), quiet=1)


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run ARGV to the end; return (wall seconds, peak RSS in MB) of that process alone."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {stderr}")
    return seconds, usage.ru_maxrss / 1024


def timings(commands: dict[str, tuple[list[str], dict[str, str]]], rounds: int
            ) -> dict[str, list[tuple[float, float]]]:
    """Each command once per round, in one interleaved order; one warm-up round first."""
    out: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for round_ in range(rounds + 1):
        names = list(commands) if round_ % 2 == 0 else list(reversed(commands))
        for name in names:
            argv, env = commands[name]
            result = run(argv, env)
            if round_:
                out[name].append(result)
    return out


def import_times(args: list[str], env: dict[str, str], top: int = 15) -> list[tuple[int, str]]:
    """`python -X importtime` of one crossings command: the TOP cumulative import costs (µs)."""
    code = "import sys; from crossings.cli import main; main(sys.argv[1:])"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args],
                          capture_output=True, text=True, env={**os.environ, **env})
    rows: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line and "cumulative" not in line:
            _, cumulative, name = (part.strip() for part in line[12:].split("|"))
            rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:top]


def available(name: str) -> bool:
    """Whether the crossings CLI has a command NAME (issue 3 and 6 hooks)."""
    from crossings.cli import cli

    return name in getattr(cli, "commands", {})


Timing = dict[str, Any]
