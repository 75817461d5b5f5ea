"""One contract suite, run against every store in ``store.STORES`` (store/base.py's promises).

Adding a backend to ``STORES`` without a factory here fails the suite, so each new store
is held to the same promises: atomic writes, version-checked updates, a hash-chained
append-only trail, nested writes as savepoints, and the driver's errors converted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from store import STORES, SQLiteStore, Store
from crossings.keys import PrivateKey, verify
from workflow import Actor, Case, Conflict, InvalidInput, NotFound, StoreError
from workflow.audit import GENESIS, canonical_bytes, dumps, row_hash, setup_row
from workflow.policies import CATALOGUE

Factory = Callable[..., Store]


def _sqlite_tamper(store: Store, sql: str) -> None:
    assert isinstance(store, SQLiteStore)
    store.conn.execute(sql)


def _sqlite_junk(path: str) -> str:
    Path(path).write_bytes(b"Changbai county register, not a database\n" * 200)
    return path


def _postgres_open(url: str, **options: Any) -> Store:
    from store.postgres import PostgresStore

    return PostgresStore(url, CATALOGUE, **options)


def _postgres_tamper(store: Store, sql: str) -> None:
    """Raw SQL as the owner (the role that ran init), outside the store's transactions."""
    from store.postgres import PostgresStore

    assert isinstance(store, PostgresStore)
    store.conn.execute(sql)


def _postgres_junk(url: str) -> str:
    """A database whose schema crossings holds someone else's table."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA crossings")
        conn.execute("CREATE TABLE crossings.notes (line text)")
    return url


class Backend(NamedTuple):
    open: Factory  # open a store on a target (a path, a URL)
    tamper: Callable[[Store, str], None]  # run raw SQL around the store's API
    junk: Callable[[str], str]  # put something that is not a crossings database there
    damage: dict[str, tuple[str, ...]]  # named raw SQL that changes the schema behind the store's back


BACKENDS: dict[str, Backend] = {
    "sqlite": Backend(lambda path, **kw: SQLiteStore(path, CATALOGUE, **kw), _sqlite_tamper,
                      _sqlite_junk, {
                          "a dropped append-only trigger": ("DROP TRIGGER audit_no_update",),
                          "a redefined view": ("DROP VIEW sources",
                                               "CREATE VIEW sources AS SELECT 1 AS source"),
                          "a planted trigger": ("CREATE TRIGGER planted AFTER INSERT ON cases "
                                                "BEGIN SELECT 1; END",)}),
    "postgresql": Backend(_postgres_open, _postgres_tamper, _postgres_junk, {
        "a dropped append-only trigger": ("DROP TRIGGER audit_no_update ON audit",),
        "a redefined view": ("DROP VIEW sources", "CREATE VIEW sources AS SELECT 1 AS source"),
        "a planted trigger": ("CREATE TRIGGER planted AFTER INSERT ON cases "
                              "FOR EACH ROW EXECUTE FUNCTION audit_count()",)}),
}
RECORDED = "2026-11-29T09:00:00.000000+00:00"
KEY = PrivateKey.generate()  # signs the rows these tests append


def actor(name: str, role: str) -> Actor:
    return Actor(name, role, PrivateKey.generate().public)


def test_rows_are_signed_over_their_canonical_bytes(store: Store) -> None:
    with store.write():
        store.append([row(1)], KEY.sign)
    stored = store.audit_row(1)
    assert stored is not None
    assert verify(KEY.public, canonical_bytes(stored), stored["signature"])
    assert not verify(PrivateKey.generate().public, canonical_bytes(stored), stored["signature"])


def test_a_retry_key_finds_the_rows_it_wrote(store: Store) -> None:
    with store.write():
        store.append([{**row(1), "request_id": "retry-1"}, row(2)], KEY.sign)
    assert [r["seq"] for r in store.request_rows("retry-1")] == [1]
    assert store.request_rows("retry-2") == []


def test_the_latest_event_date_of_a_case_counts_refused_rows_too(store: Store) -> None:
    with store.write():
        store.append([member_row(1, None, "refused"), {**member_row(1, 1), "at": "1961-11-20"}],
                     KEY.sign)
    assert store.last_event_date(1) == "1961-11-21"
    assert store.last_event_date(2) is None


@pytest.fixture(params=sorted(STORES))
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where a test's store of BACKEND lives: a file, or a fresh database on the test
    server (skipped without one)."""
    if backend == "postgresql":
        return str(request.getfixturevalue("pg_database"))
    return str(tmp_path / "store.db")


@pytest.fixture
def path(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    return target(backend, tmp_path, request)


@pytest.fixture
def store(backend: str, path: str) -> Iterator[Store]:
    opened = BACKENDS[backend].open(path, create=True)
    yield opened
    opened.close()


def row(n: int) -> dict[str, Any]:
    return setup_row("setting", {"name": "short_period_days", "value": n}, RECORDED,
                     "jilin-1961-11-25", "1")


def case(case_id: int = 1, state: str = "detained", version: int = 1) -> Case:
    return Case(case_id, state, version, {"name": "Pak Sun-hui", "opened_on": "1961-11-10"})


def trail(store: Store) -> list[dict[str, Any]]:
    return list(store.audit_stream())


def test_every_store_has_a_factory_in_this_suite() -> None:
    assert set(STORES) == set(BACKENDS)


def test_write_commits_everything_together(store: Store) -> None:
    with store.write():
        store.insert_actor(actor("Zhao", "county-officer"), RECORDED)
        store.insert_case(case(), RECORDED)
        assert store.append([row(1)], KEY.sign) == [1]
    assert store.get_actor("Zhao") is not None
    assert store.get_case(1) == case()
    assert store.head()["rows"] == 1


def test_write_rolls_back_everything_on_an_exception(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write():
        store.insert_actor(actor("Zhao", "county-officer"), RECORDED)
        store.insert_case(case(), RECORDED)
        store.append([row(1)], KEY.sign)
        raise RuntimeError("crash half-way")
    assert store.get_actor("Zhao") is None
    assert store.get_case(1) is None
    assert store.head() == {"rows": 0, "seq": 0, "hash": GENESIS}


def test_nothing_is_visible_to_another_connection_before_commit(backend: str, path: str,
                                                                store: Store) -> None:
    other = BACKENDS[backend].open(path)
    try:
        with store.write():
            store.insert_actor(actor("Zhao", "county-officer"), RECORDED)
            assert other.get_actor("Zhao") is None
        assert other.get_actor("Zhao") is not None
    finally:
        other.close()


def test_update_at_the_read_version_succeeds(store: Store) -> None:
    with store.write():
        store.insert_case(case(), RECORDED)
    with store.write():
        store.update_cases([(case(state="investigated", version=2), 1)], RECORDED)
    assert store.get_case(1) == case(state="investigated", version=2)


def test_update_with_a_stale_version_raises_conflict_and_writes_nothing(store: Store) -> None:
    with store.write():
        store.insert_case(case(), RECORDED)
        store.append([row(1)], KEY.sign)
    head = store.head()
    with pytest.raises(Conflict, match="changed since it was read"), store.write():
        store.append([row(2)], KEY.sign)
        store.update_cases([(case(state="investigated", version=3), 2)], RECORDED)
    assert store.get_case(1) == case()
    assert store.head() == head


def test_a_stale_case_in_a_group_update_undoes_the_whole_group(store: Store) -> None:
    with store.write():
        store.insert_case(case(1), RECORDED)
        store.insert_case(case(2), RECORDED)
    with pytest.raises(Conflict), store.write():
        store.update_cases([(case(1, "returned", 2), 1), (case(2, "returned", 2), 7)], RECORDED)
    assert [c.state for c in store.case_rows()] == ["detained", "detained"]


def test_a_case_updated_again_and_again_in_one_write_reads_back_as_it_now_is(
        store: Store) -> None:
    # a batch walks a case through its steps in one transaction: every read in it, by id
    # or by a query, sees the last step, a stale version is refused at once, and the
    # commit leaves the case at its last version
    with store.write():
        store.insert_case(case(), RECORDED)
    with store.write():
        before = "detained"
        for version, state in enumerate(["investigated", "persuading", "referred"], 2):
            assert store.get_case(1) == case(state=before, version=version - 1)
            before = state
            store.update_cases([(case(state=state, version=version), version - 1)], RECORDED)
            store.append([{**member_row(1, None), "case_version": version,
                           "at": f"1961-11-2{version}"}], KEY.sign)
            assert store.get_case(1) == case(state=state, version=version)
            assert store.get_cases([1]) == {1: case(state=state, version=version)}
            assert [c["id"] for c in store.cases(state=state)] == [1]
            assert store.last_event_date(1) == f"1961-11-2{version}"
        with pytest.raises(Conflict, match="expected version 2"):
            store.update_cases([(case(state="returned", version=3), 2)], RECORDED)
    assert store.get_case(1) == case(state="referred", version=4)
    assert [r["case_version"] for r in trail(store)] == [2, 3, 4]


def test_append_chains_each_row_to_the_previous_hash(store: Store) -> None:
    with store.write():
        assert store.append([row(1)], KEY.sign) == [1]
    with store.write():
        assert store.append([row(2), row(3)], KEY.sign) == [2, 3]
    rows = trail(store)
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert rows[0]["prev_hash"] == GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["prev_hash"] == before["hash"]
    for stored in rows:
        assert stored["hash"] == row_hash(stored)
    assert store.head() == {"rows": 3, "seq": 3, "hash": rows[-1]["hash"]}


def test_append_outside_a_write_is_refused(store: Store) -> None:
    with pytest.raises(StoreError):
        store.append([row(1)], KEY.sign)
    assert store.head()["rows"] == 0


@pytest.mark.parametrize("sql", [
    "UPDATE audit SET reason = 'edited' WHERE seq = 1",
    "UPDATE audit SET hash = 'x'",
    "DELETE FROM audit WHERE seq = 2",
    "DELETE FROM audit",
])
def test_audit_rows_cannot_be_updated_or_deleted(backend: str, store: Store, sql: str) -> None:
    with store.write():
        store.append([row(1), row(2)], KEY.sign)
    before = trail(store)
    with pytest.raises(Exception, match="append-only"):
        BACKENDS[backend].tamper(store, sql)
    assert trail(store) == before


def test_a_nested_write_failing_before_it_writes_leaves_the_batch_whole(store: Store) -> None:
    with store.write():
        store.insert_actor(actor("Zhao", "county-officer"), RECORDED)
        with pytest.raises(RuntimeError), store.write():
            assert store.get_actor("Kim") is None
            raise RuntimeError("this event is rejected before it writes")
        store.append([row(2)], KEY.sign)
    assert store.get_actor("Zhao") is not None
    (only,) = trail(store)
    assert (only["seq"], only["prev_hash"]) == (1, GENESIS)
    assert only["hash"] == row_hash(only)


def test_a_nested_write_failing_after_it_wrote_rolls_the_whole_batch_back(
        store: Store) -> None:
    with store.write():
        store.append([row(1)], KEY.sign)
    with pytest.raises(StoreError, match="batch was rolled back"), store.write():
        store.insert_actor(actor("Zhao", "county-officer"), RECORDED)
        with pytest.raises(RuntimeError), store.write():
            store.insert_actor(actor("Kim", "border-defence"), RECORDED)
            store.append([row(2)], KEY.sign)
            raise RuntimeError("a driver error half-way through an event")
        with pytest.raises(StoreError, match="batch was rolled back"), store.write():
            store.insert_actor(actor("Liu", "foreign-affairs"), RECORDED)
    assert [store.get_actor(n) for n in ("Zhao", "Kim", "Liu")] == [None, None, None]
    (only,) = trail(store)
    assert only["seq"] == 1
    with store.write():
        store.append([row(3)], KEY.sign)
    assert [r["seq"] for r in trail(store)] == [1, 2]
    assert trail(store)[1]["prev_hash"] == only["hash"]


def test_a_driver_constraint_error_surfaces_as_a_workflow_error(store: Store) -> None:
    with store.write():
        store.insert_actor(actor("Zhao", "county-officer"), RECORDED)
    with pytest.raises(StoreError) as caught, store.write():
        store.insert_actor(actor("Zhao", "border-defence"), RECORDED)
    assert not isinstance(caught.value, sqlite3.Error)
    assert type(caught.value).__module__.startswith("workflow")  # not the driver's


def test_an_integer_beyond_64_bits_surfaces_as_invalid_input(store: Store) -> None:
    with pytest.raises(InvalidInput, match="too large"):
        store.get_case(10**30)


def test_a_busy_database_surfaces_as_conflict(backend: str, path: str, store: Store) -> None:
    impatient = BACKENDS[backend].open(path, busy_timeout_ms=50)
    try:
        with store.write():
            with pytest.raises(Conflict, match="busy"), impatient.write():
                impatient.insert_actor(actor("Kim", "border-defence"), RECORDED)
    finally:
        impatient.close()
    assert store.get_actor("Kim") is None


def test_a_file_that_is_not_a_database_surfaces_as_store_error(backend: str, path: str) -> None:
    junk = BACKENDS[backend].junk(path)
    with pytest.raises(StoreError, match="not a crossings database"):
        BACKENDS[backend].open(junk)
    with pytest.raises(StoreError, match="not a crossings database"):
        BACKENDS[backend].open(junk, create=True)


def test_a_missing_database_is_not_created_without_create(backend: str, path: str) -> None:
    with pytest.raises(NotFound):
        BACKENDS[backend].open(path)
    assert not Path(path).exists()


def test_cases_are_read_back_by_id_state_and_page(store: Store) -> None:
    with store.write():
        for n, state in enumerate(["detained", "persuading", "persuading"], 1):
            store.insert_case(case(n, state), RECORDED)
    assert store.next_case_id() == 4
    assert store.get_case(9) is None
    assert set(store.get_cases([3, 1, 9])) == {1, 3}
    assert [c["id"] for c in store.cases("persuading")] == [2, 3]
    assert [c["id"] for c in store.cases(after=1, limit=1)] == [2]
    assert [c.id for c in store.case_rows()] == [1, 2, 3]


def member_row(case_id: int, group_id: int | None, outcome: str = "applied") -> dict[str, Any]:
    """A group trigger's row for one member, as the service writes it."""
    given = {"representative": "Kang Myong-chol", "crossing_point": "Changbai-Hyesan bridge"}
    return {**setup_row("hand_over", given, RECORDED, "jilin-1961-11-25", "2", "Kim",
                        "border-defence"),
            "case_id": case_id, "case_version": 1, "source": "persuading",
            "target": "returned" if outcome == "applied" else "persuading", "outcome": outcome,
            "at": "1961-11-21", "group_id": group_id}


def test_groups_are_read_from_the_trail(store: Store) -> None:
    with store.write():
        store.append([member_row(2, None, "refused"), member_row(1, 1), member_row(2, 1)], KEY.sign)
    group = {"id": 1, "at": "1961-11-21", "representative": "Kang Myong-chol",
             "crossing_point": "Changbai-Hyesan bridge", "officer": "Kim", "case_ids": [1, 2],
             "note": None}
    assert store.get_group(1) == group
    assert store.get_group(2) is None
    assert store.next_group_id() == 2




def cited(case_id: int, seq_at: str, source: str | None, outcome: str = "applied") -> dict[str, Any]:
    """A member row whose event cites SOURCE (the option every event takes)."""
    given = {"representative": "Kang Myong-chol", "crossing_point": "Changbai-Hyesan bridge",
             **({"source": source} if source is not None else {})}
    return {**member_row(case_id, None, outcome), "given": dumps(given), "at": seq_at}


def test_the_documents_cited_are_listed_with_the_events_resting_on_each(store: Store) -> None:
    with store.write():
        store.append([row(1), cited(1, "1961-11-20", "PRC FMA 118-00948-02, p. 7"),
                      cited(2, "1961-11-21", None),
                      cited(2, "1961-11-22", "Changbai county register, 1961: 14", "refused"),
                      cited(1, "1961-11-23", "PRC FMA 118-00948-02, p. 7")], KEY.sign)
    assert list(store.sources()) == [
        {"source": "Changbai county register, 1961: 14", "events": [
            {"seq": 4, "case_id": 2, "at": "1961-11-22", "trigger": "hand_over",
             "outcome": "refused"}]},
        {"source": "PRC FMA 118-00948-02, p. 7", "events": [
            {"seq": 2, "case_id": 1, "at": "1961-11-20", "trigger": "hand_over",
             "outcome": "applied"},
            {"seq": 5, "case_id": 1, "at": "1961-11-23", "trigger": "hand_over",
             "outcome": "applied"}]}]


def test_a_trail_that_cites_nothing_lists_no_source(store: Store) -> None:
    with store.write():
        store.append([row(1), cited(1, "1961-11-20", None)], KEY.sign)
    assert list(store.sources()) == []


def test_each_case_spans_its_first_to_its_last_event_date(store: Store) -> None:
    with store.write():
        store.insert_case(case(1), RECORDED)
        store.insert_case(case(2, "persuading"), RECORDED)
        store.insert_case(case(3), RECORDED)  # no events: not drawn
        store.append([cited(2, "1961-11-25", None), cited(1, "1961-11-20", None),
                      cited(2, "1961-11-21", None, "refused")], KEY.sign)
    assert list(store.case_spans()) == [
        {"id": 1, "name": "Pak Sun-hui", "native_name": None, "state": "detained",
         "first_at": "1961-11-20", "last_at": "1961-11-20", "events": 1},
        {"id": 2, "name": "Pak Sun-hui", "native_name": None, "state": "persuading",
         "first_at": "1961-11-21", "last_at": "1961-11-25", "events": 2}]


def _matches(store: Store, name: str) -> set[tuple[int, str]]:
    from workflow.names import searchable

    return {(m["case_id"], m["name"]) for m in store.name_matches(*searchable(name))}


def test_the_name_index_follows_every_insert_and_update_of_a_name(store: Store) -> None:
    with store.write():
        store.insert_case(case(1), RECORDED)
    assert _matches(store, "Pak Sun-hui") == {(1, "Pak Sun-hui")}
    renamed = Case(1, "detained", 2, {"name": "Ri Sun-hui", "aliases": ["리순희"]})
    with store.write():
        store.update_cases([(renamed, 1)], RECORDED)  # never read: re-indexed all the same
    assert _matches(store, "Pak Sun-hui") == set()
    assert _matches(store, "리순희") >= {(1, "리순희")}
    assert store.name_index_problems() == []


def test_a_rolled_back_write_leaves_the_name_index_as_it_was(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write():
        store.insert_case(case(1), RECORDED)
        raise RuntimeError("undone")
    assert _matches(store, "Pak Sun-hui") == set()
    assert store.name_index_problems() == []


def test_a_fresh_store_has_the_schema_this_code_creates(store: Store) -> None:
    assert store.schema_problems() == []


@pytest.mark.parametrize("damage", sorted(BACKENDS["sqlite"].damage))
def test_the_schema_check_names_each_changed_object(backend: str, store: Store,
                                                    damage: str) -> None:
    for statement in BACKENDS[backend].damage[damage]:
        BACKENDS[backend].tamper(store, statement)
    problems = store.schema_problems()
    named = {"a dropped append-only trigger": "audit_no_update is missing",
             "a redefined view": "view sources is defined otherwise",
             "a planted trigger": "planted is not one crossings creates"}[damage]
    assert any(named in p for p in problems), problems


# -- PostgreSQL only: the server keeps the rules, whoever connects -------------------------

def _clerk_statement(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET search_path = crossings")
        conn.execute(sql)


@pytest.fixture
def pg_store(pg_database: str) -> Iterator[Store]:
    opened = _postgres_open(pg_database, create=True)
    with opened.write():
        opened.insert_case(case(), RECORDED)
        opened.append([row(1), row(2)], KEY.sign)
    yield opened
    opened.close()


@pytest.mark.parametrize("sql", [
    "UPDATE audit SET reason = 'edited' WHERE seq = 1",
    "DELETE FROM audit WHERE seq = 2",
    "TRUNCATE audit",
    "CREATE TABLE notes (line text)",
    "DROP TRIGGER audit_no_update ON audit",
    "INSERT INTO report_months VALUES ('1961-11', 'returned', 1, 0)",
])
def test_a_clerk_cannot_change_the_trail_or_the_schema(pg_store: Store, pg_database: str,
                                                        pg_clerk_url: Callable[[str], str],
                                                        sql: str) -> None:
    import psycopg

    before = trail(pg_store)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _clerk_statement(pg_clerk_url(pg_database), sql)
    assert trail(pg_store) == before
    assert pg_store.schema_problems() == []


def test_the_owner_cannot_truncate_the_trail_either(pg_store: Store) -> None:
    before = trail(pg_store)
    with pytest.raises(Exception, match="append-only"):
        _postgres_tamper(pg_store, "TRUNCATE audit")
    assert trail(pg_store) == before


def test_a_clerk_writes_commands_and_the_counts_follow(pg_store: Store, pg_database: str,
                                                       pg_clerk_url: Callable[[str], str]) -> None:
    clerk = _postgres_open(pg_clerk_url(pg_database))
    try:
        with clerk.write():
            clerk.update_cases([(case(state="persuading", version=2), 1)], RECORDED)
            clerk.insert_actor(actor("Kim", "border-defence"), RECORDED)
            clerk.put_setting("short_period_days", 40)
            clerk.append([member_row(1, None, "refused")], KEY.sign)
        assert clerk.count_by_clause() == clerk.recount_by_clause()
        assert clerk.head()["seq"] == 3
        assert clerk.schema_problems() == []  # no scratch schema for a clerk: the snapshot
        _postgres_tamper(pg_store, "DROP TRIGGER audit_no_delete ON audit")
        assert clerk.schema_problems() == ["trigger audit.audit_no_delete is missing (dropped?)"]
    finally:
        clerk.close()


def test_the_shipped_schema_snapshot_is_what_a_fresh_init_creates(pg_store: Store,
                                                                   pg_database: str) -> None:
    from store.postgres import catalog

    version = int(pg_store._one("SELECT current_setting('server_version_num')")[0])  # type: ignore[attr-defined]
    if not catalog.snapshot_path(version).is_file():
        pytest.skip(f"no snapshot shipped for PostgreSQL {version // 10000} (write one: "
                    "python -m store.postgres URL)")
    shipped = catalog.shipped_objects(CATALOGUE, version, pg_database)
    assert catalog.fresh_objects(pg_database, CATALOGUE, "crossings_clerk") == shipped


def test_the_store_names_its_server_without_the_password(pg_database: str) -> None:
    from store import open_store

    url = pg_database.replace("://", "://postgres:s3cret@", 1) if "@" not in pg_database \
        else pg_database.replace("@", ":s3cret@", 1)
    opened = open_store(url.replace("postgresql://", "postgres://", 1), CATALOGUE, create=True)
    try:
        assert "s3cret" not in opened.path
        assert opened.path.endswith(pg_database.rpartition("/")[2])
    finally:
        opened.close()


@pytest.mark.parametrize("url", ["PostgreSQL://kim:s3cret@127.0.0.1:1/x",
                                 "postgresql://kim:s3cr%zzet@127.0.0.1:1/x",
                                 "postgresql://kim:s3cret@[::1/x"])
def test_a_bad_url_is_one_line_that_never_shows_its_password(url: str) -> None:
    from crossings.cli import cli
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["list", "--db", url], catch_exceptions=False)
    assert result.exit_code == 1
    assert "s3cr" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("Error: ")


def test_two_inits_racing_on_one_database_leave_one_whole_trail(pg_database: str,
                                                                  tmp_path: Path) -> None:
    """Two `crossings init` processes started together on one empty database: one makes
    it, the other is refused in one line (it finds the schema under the writers' lock) and
    drops nothing; the trail left has one first administrator and verifies."""
    import os
    import subprocess
    import sys

    from helpers.postgres import empty

    env = {**os.environ, "CROSSINGS_KEYS": str(tmp_path / "keys")}
    for _ in range(3):
        empty(pg_database)
        procs = [subprocess.Popen([sys.executable, "-m", "crossings", "init", "--admin", name,
                                   "--db", pg_database], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for name in ("Ann", "Bo")]
        outputs = [p.communicate() for p in procs]
        done = [(p.returncode, err) for p, (_, err) in zip(procs, outputs)]
        assert sorted(code for code, _ in done) == [0, 1], done
        refused = next(err for code, err in done if code == 1)
        assert refused.count("\n") == 1 and "already holds a crossings database" in refused
        checked = subprocess.run([sys.executable, "-m", "crossings", "verify", "--db",
                                  pg_database], env=env, capture_output=True, text=True)
        assert checked.returncode == 0 and "no problems" in checked.stdout, checked.stderr


def test_an_older_postgres_schema_is_refused_then_upgraded_step_by_step(pg_database: str) -> None:
    made = _postgres_open(pg_database, create=True)
    with made.write():
        made.insert_case(Case(1, "detained", 1, {"name": "Pak Sun-hui", "aliases": ["박순희"]}),
                         RECORDED)
    for sql in ("DROP TABLE case_names", "DELETE FROM schema_migrations WHERE version = 3"):
        _postgres_tamper(made, sql)
    made.close()
    with pytest.raises(StoreError, match="older than"):
        _postgres_open(pg_database)
    old = _postgres_open(pg_database, upgrade=True)
    try:
        assert old.schema_version == 2
        with old.write():
            assert old.upgrade_schema() == ["003_names"]
        assert old.schema_problems() == []
        assert _matches(old, "박순희") >= {(1, "박순희")}
        assert old.name_index_problems() == []
        steps = old.conn.execute("SELECT version, name FROM schema_migrations "  # type: ignore[attr-defined]
                                 "ORDER BY version").fetchall()
        assert steps == [(1, "001_tables"), (2, "002_report_counts"), (3, "003_names")]
    finally:
        old.close()


# -- both stores, one casebook: every read answers alike -----------------------------------

def _reads(store: Store) -> dict[str, Any]:
    """What the commands read of a store, except what depends on the clock or the keys
    (recorded_at, hashes, signatures)."""
    from workflow.names import searchable
    from workflow.policies import DEFAULT

    states = DEFAULT.open_states
    out: dict[str, Any] = {
        f"section {s.id} {day}": store.section_rows(s, day, 30, states)
        for s in CATALOGUE.sections for day in ("1961-11-20", "1961-12-20", "1962-06-01")}
    out |= {f"search {q}": list(store.name_matches(*searchable(q)))
            for q in ("Pak", "pak sun", "리", "순희", "Ri Chol", "kim yong", "o", "sun-hui")}
    out |= {"by state": store.count_by_state(), "by month": store.count_by_month(states),
            "by clause": store.count_by_clause(), "recount month": store.recount_by_month(states),
            "recount clause": store.recount_by_clause(),
            "by place": store.count_by_fact("place", states),
            "name list": list(store.name_list_rows()), "groups": store.group_summaries(),
            "name list sizes": store.name_list_sizes(),
            "one list": [store.name_list_sizes(r["list"]) for r in store.name_list_sizes()]
            + [store.name_list_sizes("no such list")],
            "members": store.group_members(1), "group": store.get_group(1),
            "sources": list(store.sources()), "spans": list(store.case_spans()),
            "cases": list(store.cases()), "completion": store.case_ids_like("1"),
            "facts": [(c.id, c.state, c.version, c.facts, c.flagged, c.policy)
                      for c in store.case_rows()],
            "ids": (store.count_cases(), store.next_case_id(), store.next_group_id()),
            "last dates": [store.last_event_date(n) for n in range(1, 12)],
            "settings": store.stored_settings(), "names": store.name_index_problems()}
    return out


def _typed(value: Any) -> Any:
    """VALUE with each scalar's type beside it (1 is not True, nor Decimal(1), nor "1");
    a mapping's keys in order (a dict's order is not part of the contract)."""
    if isinstance(value, dict):
        return sorted((str(k), _typed(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, *(_typed(v) for v in value)]
    return (type(value).__name__, value)


def test_both_stores_answer_every_read_of_the_casebook_alike(tmp_path: Path, pg_database: str) -> None:
    from helpers.casebook import build
    from store import open_store

    answers = []
    for where in (build(str(tmp_path / "casebook.db")), build(pg_database)):
        opened = open_store(where, CATALOGUE, readonly=True)
        try:
            answers.append({k: _typed(v) for k, v in _reads(opened).items()})
            assert opened.schema_problems() == []
        finally:
            opened.close()
    sqlite, postgres = answers
    assert {k: v for k, v in postgres.items() if sqlite[k] != v} == {}
    assert sqlite["name list"] and sqlite["groups"] and sqlite["section visitors 1961-12-20"]


def test_the_name_list_sizes_count_the_rows_listed(path: str) -> None:
    # a list's heading is printed before its rows stream: its count and addressee must be
    # the rows' own (the casebook's two referrals are on two lists)
    from helpers.casebook import build
    from store import open_store

    opened = open_store(build(path), CATALOGUE, readonly=True)
    try:
        rows = list(opened.name_list_rows())
        sizes = opened.name_list_sizes()
    finally:
        opened.close()
    spec = CATALOGUE.name_list
    assert spec is not None and len(sizes) == 2
    by_list: dict[str, list[dict[str, Any]]] = {}
    for found in rows:
        by_list.setdefault(found["list"], []).append(found)
    assert sizes == [{"list": k, spec.to_field: v[0][spec.to_field], "count": len(v)}
                     for k, v in by_list.items()]


def test_a_lost_connection_is_a_one_line_store_error_naming_the_server(pg_store: Store,
                                                                       pg_admin_url: str,
                                                                       pg_database: str) -> None:
    import psycopg

    before = trail(pg_store)
    with pytest.raises(StoreError) as caught, pg_store.write():
        pg_store.put_setting("short_period_days", 99)
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)",
                          (pg_store.conn.info.backend_pid,))  # type: ignore[attr-defined]
        pg_store.append([row(3)], KEY.sign)
    for message in (str(caught.value), str(pytest.raises(StoreError, pg_store.count_cases).value)):
        assert "\n" not in message and pg_store.path in message, message
    again = _postgres_open(pg_database)
    try:
        assert trail(again) == before and "short_period_days" not in again.stored_settings()
    finally:
        again.close()


def test_a_voided_referral_is_on_neither_the_list_nor_its_count(path: str) -> None:
    from helpers.actors import new_database
    from store import open_store

    with new_database(path) as service:
        cases = []
        for n in range(3):
            case = service.fire("open", None, "Zhao", at="1961-11-12", name=f"Kim Sun-ok {n}",
                                crossed_on="1961-04", place="Badaogou").id
            service.fire("investigate", case, "Zhao", at="1961-11-14", citizenship="dprk",
                         purpose="other", spouse="chinese-korean")
            service.fire("begin_persuasion", case, "Zhao", at="1961-11-14")
            for day in range(3):
                service.fire("persuade", case, "Zhao", at=f"1961-11-{16 + day}",
                             outcome="refused")
            service.fire("refer", case, "Zhao", at="1961-11-25",
                         list="L-2" if n == 2 else "L-1")
            cases.append(case)
        [voided] = [r["seq"] for r in service.log(case_id=cases[0], trigger="refer")]
        service.void(voided, "referred in error", "Zhao")
    opened = open_store(path, CATALOGUE, readonly=True)
    try:
        rows = list(opened.name_list_rows())
        sizes, one, none = (opened.name_list_sizes(), opened.name_list_sizes("L-1"),
                            opened.name_list_sizes("L-3"))
    finally:
        opened.close()
    assert [(r["list"], r["case_id"]) for r in rows] == [("L-1", cases[1]), ("L-2", cases[2])]
    assert [(h["list"], h["count"]) for h in sizes] == [("L-1", 1), ("L-2", 1)]
    assert (one, none) == ([sizes[0]], [])

