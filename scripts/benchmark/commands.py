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


def run(argv: list[str], env: dict[str, str] | None = None) -> float:
    """Run ARGV to the end (it must succeed); return its wall time in seconds."""
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}: {done.stderr!r}")
    return seconds


PEAK_PROBE = r"""
import sys
from crossings.cli import main
try:
    main(sys.argv[1:])
finally:
    status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
    sys.stderr.write(f"\nVmHWM {status}\n")
"""


def peak_run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run `crossings ARGS` in a probe that reports its own peak RSS (VmHWM; ru_maxrss
    from wait4 would include the parent's); return (wall seconds, peak MB)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK_PROBE, *args], capture_output=True,
                          text=True, env={**os.environ, **env})
    seconds = time.perf_counter() - start
    lines = [line for line in done.stderr.splitlines() if line.startswith("VmHWM ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"crossings {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return seconds, int(lines[-1].split()[1]) / 1024


def timings(commands: dict[str, tuple[list[str], dict[str, str]]], rounds: int
            ) -> dict[str, list[float]]:
    """Each command once per round, in one interleaved order; one warm-up round first."""
    out: dict[str, list[float]] = {name: [] for name in commands}
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
    """Whether the crossings CLI has a command NAME (issue 3 and 6 hooks), asked through
    click (a command is imported only when named, so ``cli.commands`` starts empty)."""
    import click

    from crossings.cli import cli

    return name in cli.list_commands(click.Context(cli))


Timing = dict[str, Any]
