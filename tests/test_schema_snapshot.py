"""The schema this code creates is the schema its version number names.

``tests/data/schema-N.sql`` holds every object (table, view, index, trigger) of schema N
as this code creates it. A change to a view or an index without a new SCHEMA_VERSION and
a step would leave files of the same version with two schemas, which verify would then
report as tampering: this test fails first. To record a new version's snapshot, run
``CROSSINGS_SNAPSHOT=1 scripts/test tests/test_schema_snapshot.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

from store.sqlite import schema
from workflow.policies import CATALOGUE

DATA = Path(__file__).parent / "data"


def snapshot() -> str:
    objects = schema.expected_objects(CATALOGUE)
    return "".join(f"-- {kind} {name}\n{sql};\n\n" for (kind, name), sql in sorted(
        objects.items()) if sql is not None)


def test_the_schema_is_the_one_its_version_names() -> None:
    path = DATA / f"schema-{schema.SCHEMA_VERSION}.sql"
    if os.environ.get("CROSSINGS_SNAPSHOT"):
        path.write_text(snapshot(), encoding="utf-8")
    assert path.exists(), f"no snapshot of schema {schema.SCHEMA_VERSION}: {__doc__}"
    assert snapshot() == path.read_text(encoding="utf-8"), (
        f"the schema differs from {path.name}: a new schema version and step are needed "
        "(or, if this version is not yet released, a new snapshot)")
