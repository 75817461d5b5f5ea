"""A file written by the previous crossings (schema 5, tests/data/schema-5: three cases, a
group handover, a refusal; its actors' keys beside it) is upgraded by an administrator,
in one transaction with a signed row saying so, and reads and verifies as before."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.casework import dump

from crossings.cli import cli
from crossings.keys import KeyRing
from crossings.service import Service
from store.sqlite import schema
from workflow import RoleRefused, StoreError

OLD = Path(__file__).parent / "data" / "schema-5"
STEPS = ["006_pinned_policies", "007_names"]


@pytest.fixture
def old(tmp_path: Path) -> str:
    target = tmp_path / "old.db"
    shutil.copy(OLD / "crossings.db", target)
    return str(target)


def keys() -> KeyRing:
    return KeyRing(OLD / "keys")


def version(path: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def test_an_older_file_is_not_read_or_written_until_it_is_upgraded(old: str) -> None:
    before = dump(old)
    for readonly in (True, False):
        with pytest.raises(StoreError, match="has schema 5, older than this crossings' 7: an "
                                             "administrator upgrades it with 'crossings upgrade"):
            Service.open(old, readonly=readonly, keys=keys())
    assert dump(old) == before


def test_only_an_administrator_upgrades_and_the_refusal_is_signed(old: str) -> None:
    with pytest.raises(RoleRefused, match="only an administrator upgrades the schema"):
        Service.upgrade(old, "Zhao", keys=keys())
    assert version(old) == 5


def test_the_upgrade_pins_every_case_to_the_policy_its_rows_name_and_verifies(old: str) -> None:
    done = Service.upgrade(old, "Admin", keys=keys())
    assert done == {"database": old, "from": 5, "to": schema.SCHEMA_VERSION,
                    "steps": STEPS}
    with Service.open(old, keys=keys()) as service:
        assert [c["policy"] for c in service.cases()] == ["jilin-1961@2"] * 3
        [row] = service.log(trigger="schema_upgrade")
        assert (row["actor"], row["given"]) == ("Admin", {"from": 5, "to": 7, "steps": STEPS})
        # rows recorded under the policy's former id re-run under it: no problem at all
        assert service.verify().problems == []
        case = service.fire("persuade", 3, "Zhao", at="1961-11-25", outcome="refused",
                            method="talk")
        assert case.policy == "jilin-1961@2"
        assert service.verify().ok
        assert service.store.schema_problems() == []


def test_a_second_upgrade_finds_nothing_to_do_and_writes_nothing(old: str) -> None:
    Service.upgrade(old, "Admin", keys=keys())
    before = dump(old)
    assert Service.upgrade(old, "Admin", keys=keys())["steps"] == []
    assert dump(old) == before


def test_the_cli_says_what_it_did_in_one_line(old: str) -> None:
    env = {"CROSSINGS_KEYS": str(OLD / "keys"), "CROSSINGS_DB": old}
    out = CliRunner().invoke(cli, ["list"], env=env)
    assert out.exit_code == 1 and out.stderr.count("\n") == 1
    assert "crossings upgrade --as NAME" in out.stderr
    out = CliRunner().invoke(cli, ["upgrade", "--as", "Admin"], env=env)
    assert out.exit_code == 0, out.stderr
    assert out.stderr == f"upgraded {old} from schema 5 to 7: {', '.join(STEPS)}\n"
    assert CliRunner().invoke(cli, ["verify"], env=env).exit_code == 0


def test_the_upgrade_indexes_the_names_of_the_cases_already_there(old: str) -> None:
    with sqlite3.connect(old) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM cases ORDER BY id")]
    Service.upgrade(old, "Admin", keys=keys())
    with Service.open(old, readonly=True, keys=keys()) as service:
        for case_id, name in enumerate(names, 1):
            assert case_id in [r["id"] for r in service.search(name)], name
        assert service.store.name_index_problems() == []
