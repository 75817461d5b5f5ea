"""Trust, tried as an attacker would (issue 10): who may act, what the keys prove, what a
forger of the file can and cannot do, and what verify catches. Each test is named after
the rule it proves; each would pass on the code before the signed trail, or fail here."""

from __future__ import annotations

import base64
import json
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.actors import ACTORS, ADMIN, new_database
from helpers.casebook import copy_of, casebook
from helpers.casework import dump
from helpers.clock import fixed_clock

from crossings.cli import cli
from crossings.keys import KeyRing, PrivateKey, fingerprint, verifier
from crossings.service import Service
from store.sqlite import schema
from workflow import InvalidInput, NotFound, RoleRefused
from workflow.audit import FIELDS, GENESIS, canonical_bytes, row_hash

CROSSER = {"name": "Choe Myong-ok", "crossed_on": "1961-03", "place": "Badaogou",
           "at": "1961-11-12"}


def invoke(db: str, *args: str, keys: str | None = None) -> Any:
    env = {"CROSSINGS_DB": db, "CROSSINGS_ACTOR": None}
    if keys is not None:
        env["CROSSINGS_KEYS"] = keys
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def problems(db: str, **options: Any) -> list[dict[str, Any]]:
    with Service.open(db, clock=fixed_clock) as service:
        return service.verify(workers=1, **options).problems


def checks(db: str, **options: Any) -> set[str]:
    return {p["check"] for p in problems(db, **options)}


def raw(db: str, *statements: str, params: tuple[Any, ...] = ()) -> None:
    """Write the file behind crossings' back, append-only triggers dropped and put back."""
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    for statement in statements:
        conn.execute(statement, params)
    for statement in schema.table_statements():
        if statement.startswith("CREATE TRIGGER audit_no_"):
            conn.execute(statement)
    conn.commit()
    conn.close()


@pytest.fixture
def book(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> str:
    return copy_of(casebook(tmp_path_factory), tmp_path)


# -- identity --------------------------------------------------------------------------------

def test_acting_as_another_actor_without_their_key_is_rejected_and_writes_nothing(
        service: Service, db_path: str, tmp_path: Path) -> None:
    case = service.fire("open", None, "Zhao", **CROSSER)
    before = dump(db_path)
    elsewhere = str(tmp_path / "someone-elses-keys")
    result = invoke(db_path, "investigate", str(case.id), "--citizenship", "dprk", "--at",
                    "1961-11-13", "--as", "Liu", keys=elsewhere)
    assert result.exit_code == 1
    assert f"no private key for Liu: looked for {elsewhere}/" in result.stderr
    assert dump(db_path) == before


def test_a_key_that_is_not_the_registered_one_is_rejected(service: Service, db_path: str,
                                                          tmp_path: Path) -> None:
    other = KeyRing(tmp_path / "other")
    other.save(service.database, "Zhao", PrivateKey.generate())
    before = dump(db_path)
    result = invoke(db_path, "open", "--name", "A", "--crossed-on", "1961", "--place", "X",
                    "--at", "1961-11-12", "--as", "Zhao", keys=str(tmp_path / "other"))
    assert result.exit_code == 1 and "is not the key registered for Zhao" in result.stderr
    assert dump(db_path) == before


def test_only_the_administrator_registers_actors_and_a_refusal_is_recorded(
        service: Service) -> None:
    with pytest.raises(RoleRefused, match="only an administrator registers actors"):
        service.add_actor("Mallory", "foreign-affairs", "Zhao")
    [row] = service.log(trigger="actor_add", outcome="refused")
    assert (row["actor"], row["role"], row["given"]["name"]) == ("Zhao", "county-officer",
                                                                 "Mallory")
    with pytest.raises(NotFound):
        service.actor("Mallory")


def test_only_the_administrator_changes_settings_and_a_refusal_is_recorded(
        service: Service) -> None:
    with pytest.raises(RoleRefused, match="only an administrator changes settings"):
        service.set_setting("transfer_cutoff", "1961-12-31", "Wang")
    assert service.settings()["transfer_cutoff"] == "1960-12-31"
    [row] = [r for r in service.log(trigger="setting") if r["given"]["name"] == "transfer_cutoff"]
    assert (row["outcome"], row["actor"]) == ("refused", "Wang")


@pytest.mark.parametrize("name", ["zhao", "Zhao ", "ZHAO", "Ｚhao"])
def test_a_name_that_folds_like_a_registered_one_is_the_same_name(service: Service,
                                                                  name: str) -> None:
    with pytest.raises(InvalidInput, match="look-alike names are one name"):
        service.add_actor(name, "foreign-affairs", ADMIN)


@pytest.mark.parametrize("name", ["Zh\u200bao", "\u202eoahZ", "Zh\u2028ao", "Zh\u00adao"])
def test_a_name_with_an_invisible_character_is_rejected(service: Service, name: str) -> None:
    with pytest.raises(InvalidInput, match="names may hold any script but not invisible"):
        service.add_actor(name, "foreign-affairs", ADMIN)
    with pytest.raises(InvalidInput, match="not invisible"):
        service.fire("open", None, "Zhao", **{**CROSSER, "name": name})


def test_a_look_alike_acting_name_acts_as_the_registered_actor(service: Service) -> None:
    case = service.fire("open", None, "ｚhao", **CROSSER)
    [row] = service.log(case_id=case.id)
    assert row["actor"] == "Zhao"


def test_a_retired_actor_can_no_longer_act_and_their_history_stays(service: Service) -> None:
    case = service.fire("open", None, "Zhao", **CROSSER)
    service.retire_actor("Zhao", ADMIN)
    with pytest.raises(InvalidInput, match="was retired at"):
        service.fire("investigate", case.id, "Zhao", at="1961-11-13", citizenship="dprk")
    assert [r["actor"] for r in service.log(case_id=case.id)] == ["Zhao"]
    assert service.verify().ok


def test_init_is_the_only_command_that_creates_a_database(tmp_path: Path) -> None:
    missing = str(tmp_path / "typo.db")
    for args in (["list"], ["actor", "add", "Kim", "--role", "border-defence", "--as", ADMIN],
                 ["replay", "tests/cases/p2-visitor-sent-back.yaml", "--db", missing,
                  "--as", ADMIN]):
        result = invoke(missing, *args)
        assert result.exit_code == 1 and f"no database at {missing}" in result.stderr
        assert not Path(missing).exists()
    made = invoke(missing, "init", "--admin", ADMIN)
    assert made.exit_code == 0 and made.stdout.startswith("SHA256:")
    assert invoke(missing, "init", "--admin", ADMIN).exit_code == 1  # never over one


def test_a_key_made_elsewhere_is_registered_and_serves(service: Service, db_path: str,
                                                       tmp_path: Path) -> None:
    public = tmp_path / "pang.pub"
    made = invoke(db_path, "key", "new", "Pang", "--out", str(public))
    assert made.exit_code == 0
    added = invoke(db_path, "actor", "add", "Pang", "--role", "county-officer",
                   "--public-key", str(public), "--as", ADMIN)
    assert added.exit_code == 0, added.stderr
    assert service.fire("open", None, "Pang", **CROSSER).id == 1
    assert fingerprint(public.read_text()) == fingerprint(service.actor("Pang").public_key or "")


# -- what the signatures prove --------------------------------------------------------------

def test_a_signature_is_checked_by_its_key_alone_and_any_damage_fails_quietly() -> None:
    """A signature holds for its key and message only, and a damaged one is a False, never
    an exception, whatever its length or letters."""
    key, other = PrivateKey.generate(), PrivateKey.generate()
    check = verifier(key.public)
    for message in (b"", b"x", "Han Ok-sun \u97d3\u7389\u9806".encode(), bytes(range(256)) * 8):
        signature = key.sign(message)
        assert check(message, signature)
        assert not check(message + b" ", signature)
        assert not verifier(other.public)(message, signature)
    raw = base64.b64decode(key.sign(b"row"))
    for damaged in (raw[:63], raw + b"\0", bytes([raw[0] ^ 1]) + raw[1:], b""):
        assert not check(b"row", base64.b64encode(damaged).decode())
    assert not check(b"row", "not base64!")
    # Bytes of the message sent as the signature's tail: the check must not split them off.
    assert not check(b"w", base64.b64encode(raw + b"ro").decode())
    # The identity as a public key: R = the base point and S = 1 "sign" any message
    # ([1]B = B + [k]identity). OpenSSL accepts that forgery; libsodium refuses the key.
    identity = "ssh-ed25519 " + base64.b64encode(
        b"\0\0\0\x0bssh-ed25519\0\0\0\x20" + b"\x01" + bytes(31)).decode()
    forged = bytes.fromhex("58" + "66" * 31) + (1).to_bytes(32, "little")
    assert not verifier(identity)(b"any row", base64.b64encode(forged).decode())
    assert not verifier("ssh-ed25519 AAAA")(b"row", key.sign(b"row"))


def test_a_key_signs_as_openssl_does_and_its_file_reads_back_as_the_same_key() -> None:
    """libsodium signs, cryptography writes the OpenSSH file: the same key either way."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = PrivateKey.generate()
    again = PrivateKey.from_openssh(key.to_openssh().decode())
    assert again.public == key.public
    seed = Ed25519PrivateKey.from_private_bytes(key._seed)
    assert base64.b64decode(key.sign(b"row")) == seed.sign(b"row")


def _reenact(real: str, forged: str, drop_refusals: bool = True) -> None:
    """A forger with the file but none of its keys: a new database under an administrator of
    their own, every applied event of the real trail fired again through the Service with
    the clock at its original recorded_at, refusals dropped, a person renamed."""
    with Service.open(real) as source:
        rows = list(source.log())
    stamps = iter([r["recorded_at"] for r in rows])
    with Service.init(forged, ADMIN, clock=lambda: _instant(next(stamps))) as svc:
        for name, role in ACTORS.items():
            svc.add_actor(name, role, ADMIN)
        for row in rows:
            trigger = row["trigger"]
            if row["case_id"] is None or (drop_refusals and row["outcome"] == "refused"):
                continue
            params = dict(row["given"])
            if params.get("name") == "Han Ok-sun":
                params["name"] = "Someone Else"
            try:
                svc.fire(trigger, row["case_id"] if svc.policy.trigger(trigger).group is None
                         else [row["case_id"]], row["actor"], at=row["at"], **params)
            except Exception:  # noqa: BLE001 - a forger moves on
                continue


def _instant(stamp: str) -> Any:
    import datetime as dt

    return dt.datetime.fromisoformat(stamp)


def test_a_reenacted_trail_verifies_alone_but_not_under_the_real_administrator(
        book: str, tmp_path: Path) -> None:
    with Service.open(book) as real:
        admin = real.verify().admin
        taken = real.checkpoint("Zhao")
    assert admin is not None
    forged = str(tmp_path / "forged.db")
    _reenact(book, forged)
    assert problems(forged) == []  # consistent in itself, signed by the forger's own keys
    assert "admin" in checks(forged, admin=admin["fingerprint"])
    found = problems(forged, checkpoint=taken)
    assert any("signature does not hold" in p["message"] or "is of database" in p["message"]
               for p in found if p["check"] == "checkpoint")


def test_rows_forged_in_other_actors_names_with_one_stolen_key_are_caught(
        book: str) -> None:
    with Service.open(book) as service:
        stolen = service.signer(service.actor("Zhao"))  # Zhao's key, stolen
        head = service.store.head()
        last = service.store.audit_row(head["seq"])
    assert last is not None
    forged = {**{k: last[k] for k in FIELDS}, "seq": head["seq"] + 1, "prev_hash": head["hash"],
              "actor": "Liu", "role": "foreign-affairs", "trigger": "record_guidance",
              "reason": None}
    data = canonical_bytes(forged)
    values = {**forged, "hash": row_hash(forged), "signature": stolen.sign(data)}
    columns = ", ".join(values)
    raw(book, f"INSERT INTO audit ({columns}) VALUES ({', '.join('?' for _ in values)})",
        params=tuple(values.values()))
    found = problems(book)
    assert any(p["seq"] == head["seq"] + 1 and p["check"] == "signature" for p in found)


def test_an_edited_checkpoint_is_reported(book: str, tmp_path: Path) -> None:
    with Service.open(book) as service:
        taken = service.checkpoint("Zhao")
    assert problems(book, checkpoint=taken) == []
    edited = {**taken, "rows": taken["rows"] - 1}
    assert any("signature does not hold" in p["message"]
               for p in problems(book, checkpoint=edited))


def test_a_refused_row_erased_and_the_rest_rechained_is_caught(book: str) -> None:
    with Service.open(book) as service:
        taken = service.checkpoint("Zhao")
    conn = sqlite3.connect(book)
    [seq] = conn.execute("SELECT min(seq) FROM audit WHERE outcome = 'refused' "
                         "AND case_id IS NOT NULL").fetchone()
    conn.close()
    raw(book, f"DELETE FROM audit WHERE seq = {seq}",
        f"UPDATE audit SET seq = seq - 1 WHERE seq > {seq}")
    _rechain(book)
    found = problems(book)
    assert any(p["check"] == "signature" for p in found)  # the keys were not at hand
    assert any(p["check"] == "checkpoint" for p in problems(book, checkpoint=taken))


def _rechain(db: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
    conn.row_factory = sqlite3.Row
    prev = GENESIS
    for row in conn.execute("SELECT * FROM audit ORDER BY seq").fetchall():
        full = {name: row[name] for name in FIELDS}
        full["prev_hash"] = prev
        prev = row_hash(full)
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?",
                     (full["prev_hash"], prev, row["seq"]))
    conn.commit()
    conn.close()
    raw(db)


def test_recorded_at_running_backwards_is_caught(book: str) -> None:
    raw(book, "UPDATE audit SET recorded_at = '2000-01-01T00:00:00.000000+00:00' WHERE seq = 30")
    found = [p for p in problems(book) if p["check"] == "chain"]
    assert any("time ran backwards" in p["message"] and p["seq"] == 30 for p in found)


def test_a_setting_row_that_cannot_be_read_is_reported_and_verify_goes_on(book: str) -> None:
    # a byte flipped in a set-up row's "name" key (found by test_damaged_files): every
    # later case row is still re-derived, under the settings of the rows that can be read
    raw(book, "UPDATE audit SET given = replace(given, '\"name\"', '\"nbme\"') "
              "WHERE seq = (SELECT min(seq) FROM audit WHERE trigger = 'setting')")
    found = problems(book)
    assert any(p["check"] == "setup" and "set-up row setting cannot be read" in p["message"]
               for p in found), found
    assert any(p["check"] == "chain" for p in found)  # the row's hash no longer holds


def test_the_clock_going_back_never_makes_recorded_at_run_backwards(service: Service) -> None:
    import datetime as dt

    service.fire("open", None, "Zhao", **CROSSER)
    service.clock = lambda: dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    service.fire("open", None, "Zhao", **CROSSER)
    stamps = [r["recorded_at"] for r in service.log()]
    assert stamps == sorted(stamps)
    assert service.verify().ok


# -- records outside the chain --------------------------------------------------------------

@pytest.mark.parametrize("statement,named", [
    ("DROP VIEW handover_groups; CREATE VIEW handover_groups AS SELECT 1 AS id, "
     "'1961-11-21' AS at, 'Forged' AS representative", "view handover_groups"),
    ("DROP VIEW name_list; CREATE VIEW name_list AS SELECT * FROM cases", "view name_list"),
    ("CREATE TRIGGER rewrite AFTER INSERT ON audit BEGIN SELECT 1; END", "trigger rewrite"),
    ("DROP TRIGGER audit_no_delete", "trigger audit_no_delete"),
    ("CREATE INDEX sneaky ON cases(name)", "index sneaky"),
])
def test_a_changed_schema_is_named_by_verify(book: str, statement: str, named: str) -> None:
    conn = sqlite3.connect(book)
    conn.executescript(statement)
    conn.close()
    found = [p["message"] for p in problems(book) if p["check"] == "schema"]
    assert any(message.startswith(named) for message in found), found


def test_a_forged_retry_row_is_caught_and_a_retry_reads_only_the_signed_trail(
        service: Service, db_path: str) -> None:
    case = service.fire("open", None, "Zhao", request_id="r-1", **CROSSER)
    again = service.fire("open", None, "Zhao", request_id="r-1", **CROSSER)  # nothing new
    [row] = [r for r in service.log() if r["request_id"] == "r-1"]  # nothing new
    assert again.id == case.id
    raw(db_path, f"UPDATE audit SET request_id = 'r-2' WHERE seq = {row['seq']}")
    assert any(p["check"] == "chain" and p["seq"] == row["seq"] for p in problems(db_path))


def test_the_actors_table_edited_behind_the_trails_back_is_caught(book: str) -> None:
    raw(book, "UPDATE actors SET role = 'foreign-affairs' WHERE name = 'Zhao'")
    found = [p["message"] for p in problems(book) if p["check"] == "setup"]
    assert any("actors table disagrees with the trail for Zhao" in m for m in found)


# -- files -----------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_a_checkpoint_written_onto_the_database_is_refused_and_it_still_verifies(
        book: str, suffix: str) -> None:
    result = invoke(book, "checkpoint", "--out", book + suffix, "--as", "Zhao", "--force")
    assert result.exit_code == 1 and "an output file never replaces it" in result.stderr
    assert problems(book) == []


def test_a_diagram_never_replaces_an_existing_file_or_follows_a_link(
        book: str, tmp_path: Path) -> None:
    existing, target = tmp_path / "notes.txt", tmp_path / "elsewhere.txt"
    existing.write_text("mine")
    target.write_text("theirs")
    link = tmp_path / "link.mmd"
    os.symlink(target, link)
    assert invoke(book, "diagram", "-o", str(existing)).exit_code == 1
    assert invoke(book, "diagram", "-o", str(link)).exit_code == 1
    assert existing.read_text() == "mine" and target.read_text() == "theirs"
    assert invoke(book, "diagram", "-o", str(link), "--force").exit_code == 0
    assert target.read_text() == "theirs" and not link.is_symlink()  # the link was replaced
    assert link.read_text().startswith("---")


# -- bad values ------------------------------------------------------------------------------

@pytest.mark.parametrize("name,value", [("short_period_days", "99999999999999999999"),
                                        ("short_period_days", "-3"),
                                        ("referral_reply_days", "1e9"),
                                        ("transfer_cutoff", "9999-12-31")])
def test_a_setting_out_of_range_is_refused_when_set(service: Service, name: str,
                                                    value: str) -> None:
    with pytest.raises(InvalidInput, match=f"setting {name}"):
        service.set_setting(name, value, ADMIN)
    assert service.report_overdue("1962-01-01") == []  # reports still answer


def test_an_event_dated_before_the_cases_latest_event_is_rejected(service: Service,
                                                                 db_path: str) -> None:
    case = service.fire("open", None, "Zhao", **CROSSER)
    service.fire("investigate", case.id, "Zhao", at="1961-11-28", citizenship="dprk",
                 spouse="chinese-korean")
    service.fire("begin_persuasion", case.id, "Zhao", at="1961-12-01")
    for day in ("1961-12-10", "1961-12-11", "1961-12-12"):
        service.fire("persuade", case.id, "Zhao", at=day, outcome="refused")
    before = dump(db_path)
    with pytest.raises(InvalidInput, match="1961-11-02 is before 1961-12-12"):
        service.fire("refer", case.id, "Zhao", at="1961-11-02")
    assert dump(db_path) == before


def test_a_replay_into_memory_makes_throwaway_keys_only(key_directory: str) -> None:
    before = sorted(Path(key_directory).rglob("*.key"))
    result = CliRunner().invoke(cli, ["replay", "tests/cases/p3-married-consulate-agrees.yaml"])
    assert result.exit_code == 0
    assert sorted(Path(key_directory).rglob("*.key")) == before


def test_a_replay_into_a_database_registers_its_actors_by_the_administrator(
        tmp_path: Path) -> None:
    db = str(tmp_path / "office.db")
    new_database(db).close()
    result = invoke(db, "replay", "tests/cases/p2-visitor-sent-back.yaml", "--db", db)
    assert result.exit_code == 1 and "give --as ADMINISTRATOR" in result.stderr
    result = invoke(db, "replay", "tests/cases/p2-visitor-sent-back.yaml", "--db", db, "--as",
                    ADMIN)
    assert result.exit_code == 0, result.stdout
    assert problems(db) == []
    shutil.copy(db, db + ".copy")
    json.loads(invoke(db, "actor", "list", "--json").stdout)
