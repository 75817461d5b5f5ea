"""Which modules an import pulls in (click's test_imports idea), in a fresh interpreter.

``workflow`` is the domain layer: no SQL, no click, no store. ``crossings.cli`` must start
fast: the state machine library and sqlite-utils are imported only when needed.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import pytest

def _workflow_modules() -> list[str]:
    """Every module of the engine and of every policy package, found on disk."""
    import pkgutil

    import workflow

    return ["workflow", *sorted(m.name for m in pkgutil.walk_packages(workflow.__path__,
                                                                       "workflow."))]


WORKFLOW_MODULES = _workflow_modules()


@functools.cache
def imported_by(*modules: str) -> frozenset[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {list(modules)!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return frozenset(json.loads(out.stdout))


def roots(modules: frozenset[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("forbidden", ["store", "click", "sqlite3", "_sqlite3", "sqlite_utils",
                                       "crossings"])
def test_workflow_imports_no_storage_and_no_command_line(forbidden: str) -> None:
    assert forbidden not in roots(imported_by(*WORKFLOW_MODULES))


def test_every_workflow_module_is_checked() -> None:
    """The policy packages are among the modules checked, not only the engine's."""
    assert {"workflow.engine", "workflow.policies.jilin_1961.guards"} <= set(WORKFLOW_MODULES)


@pytest.mark.parametrize("heavy", ["transitions", "sqlite_utils"])
def test_cli_import_defers_heavy_libraries(heavy: str) -> None:
    assert heavy not in roots(imported_by("crossings.cli"))
