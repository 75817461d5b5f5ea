"""The shape of the tree: imports without circles, modules of one size, and the cable's
words only in its own policy package.

The import graph is built with ``ast`` from every import statement (module level and
inside functions), so a circle hidden in a function body counts as one. The vocabulary
scan takes every trigger, state, option value and clause id from the registered policies
themselves, and reports any string literal in a generic module that equals one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("workflow", "store", "crossings")
POLICY_PACKAGES = ("workflow/policies",)
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = package if is_package else package[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(module: str) -> set[str]:
    """The project modules MODULE imports anywhere in its text."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            names = [f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES else target
                     for alias in node.names]
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name and name != module:
                out.add(name)
    return out


class _Tarjan:
    """Strongly connected components of a graph (Tarjan's algorithm)."""

    def __init__(self, graph: dict[str, set[str]]) -> None:
        self.graph = graph
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.found: list[list[str]] = []

    def visit(self, node: str) -> None:
        self.index[node] = self.low[node] = len(self.index)
        self.stack.append(node)
        for nxt in self.graph[node]:
            if nxt not in self.index:
                self.visit(nxt)
                self.low[node] = min(self.low[node], self.low[nxt])
            elif nxt in self.stack:
                self.low[node] = min(self.low[node], self.index[nxt])
        if self.low[node] == self.index[node]:
            component = self.stack[self.stack.index(node):]
            del self.stack[self.stack.index(node):]
            if len(component) > 1:
                self.found.append(sorted(component))


def cycles() -> list[list[str]]:
    """Every strongly connected set of more than one module, sorted."""
    tarjan = _Tarjan({m: imports_of(m) for m in MODULES})
    for module in sorted(tarjan.graph):
        if module not in tarjan.index:
            tarjan.visit(module)
    return sorted(tarjan.found)


def test_the_import_graph_has_no_cycle() -> None:
    assert cycles() == []


def test_the_cycle_finder_sees_a_cycle_in_a_function_body(tmp_path: Path) -> None:
    """The finder itself: two modules importing each other, one inside a function."""
    global MODULES
    saved = MODULES
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("import b\n", encoding="utf-8")
    b.write_text("def f():\n    import a\n", encoding="utf-8")
    MODULES = {"a": a, "b": b}
    try:
        assert cycles() == [["a", "b"]]
    finally:
        MODULES = saved


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_400_lines(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(ROOT)} has {lines} lines"


# -- the cable's words stay in the policy packages -----------------------------------------

def vocabulary() -> dict[str, str]:
    """Every trigger, state, option value and clause id of every registered policy."""
    from workflow.policies import POLICIES

    words: dict[str, str] = {}
    for policy in POLICIES.values():
        for trigger in policy.triggers:
            words[trigger.name] = f"trigger of {policy.key}"
            for param in trigger.params:
                for choice in param.choices:
                    words.setdefault(choice, f"option value of {trigger.name} ({policy.key})")
        for fact in (*policy.facts, *policy.derived):
            words.setdefault(fact.name, f"fact of {policy.key}")
            for choice in getattr(fact, "choices", ()):
                words.setdefault(choice, f"value of the fact {fact.name} ({policy.key})")
        for state in policy.states:
            words.setdefault(state.name, f"state of {policy.key}")
        for clause in policy.clauses:
            words.setdefault(clause, f"clause of {policy.key}")
    return words


# Honest exceptions: literals in generic code that equal a word of the cable by accident
# of English, each with the reason it is not the cable's word there.
EXCEPTIONS = {
    # An audit row's outcome is the engine's own: every trigger of every policy is either
    # applied or refused. persuade's outcome option happens to share the word.
    "refused": "the engine's outcome of a refused row",
    # The engine's core facts (workflow.policy): every policy's case has a name, may have
    # a name in its own script, and records when it was opened; the store lists by them.
    "name": "a core fact of every policy's case",
    "native_name": "a core fact of every policy's case",
    "opened_on": "a core fact of every policy's case",
    "aliases": "a core fact of a policy's case: further names, which the store searches",
}


def generic_modules() -> list[str]:
    return [m for m, path in MODULES.items()
            if not any(path.is_relative_to(ROOT / p) for p in POLICY_PACKAGES)]


def literal_hits(module: str, words: dict[str, str]) -> list[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    hits = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docstrings and node.value in words
                and node.value not in EXCEPTIONS):
            hits.append(f"{module}:{node.lineno}: {node.value!r} ({words[node.value]})")
    return hits


def test_generic_modules_name_no_word_of_the_cable() -> None:
    words = vocabulary()
    hits = [hit for module in generic_modules() for hit in literal_hits(module, words)]
    assert hits == []


def test_the_scan_sees_a_trigger_named_in_generic_code(tmp_path: Path) -> None:
    global MODULES
    saved = MODULES
    path = tmp_path / "engine.py"
    path.write_text('def f(t):\n    """persuade: a docstring may say it."""\n'
                    '    return t == "persuade"\n', encoding="utf-8")
    MODULES = {"engine": path}
    try:
        [hit] = literal_hits("engine", vocabulary())
        assert hit.startswith("engine:3: 'persuade' (trigger of ")  # a policy that has it
    finally:
        MODULES = saved
