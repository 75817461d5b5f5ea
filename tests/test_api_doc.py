"""docs/api.md's examples run as written: the Python API documented is the one there is."""

from __future__ import annotations

import doctest
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def test_the_api_documents_examples_run(tmp_path: Path) -> None:
    """In a fresh directory, with the session's key directory (CROSSINGS_KEYS)."""
    failed, tried = doctest.testfile(str(DOC), module_relative=False, globs={"folder": tmp_path},
                                     optionflags=doctest.ELLIPSIS, verbose=False, report=True)
    assert tried > 30 and failed == 0
