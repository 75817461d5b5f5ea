"""Replaying recorded cases: scenario files (YAML or JSON) and their replay.

A client of the service: every event goes through ``Service.run``, the one command path.
``check`` reads and checks a file (every problem as FILE:LINE) before anything runs.
"""

from .read import from_data, load, parse
from .model import Event, Expectation, Problem, Scenario, ScenarioError
from .replay import FileReport, ReplayFailed, ReplayRun, check_files, replay_paths, replay_scenario

__all__ = [
    "Event",
    "Expectation",
    "FileReport",
    "Problem",
    "ReplayFailed",
    "ReplayRun",
    "Scenario",
    "ScenarioError",
    "check_files",
    "from_data",
    "load",
    "parse",
    "replay_paths",
    "replay_scenario",
]
