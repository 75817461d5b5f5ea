"""Set-up commands: a new database, the actors who act and their keys, the settings."""

from __future__ import annotations

from pathlib import Path

import click

from workflow import InvalidInput
from workflow.case import ADMINISTRATOR
from workflow.office import OFFICE_SETTINGS

from ..service import Service
from .base import POLICY, actor_option, db_option, emit, output_options, say, service
from .files import write_new

_ROLES = (*POLICY.roles, ADMINISTRATOR)


@click.command()
@click.option("--admin", required=True, metavar="NAME",
              help="The first administrator: registers actors, changes settings.")
@db_option
def init(admin: str, db: str) -> None:
    """Create a database, its first administrator and their key (kept in the key directory).

    Prints the administrator key's fingerprint: keep it where the database's writers
    cannot change it; 'crossings verify --admin FINGERPRINT' then tells this trail apart
    from one rebuilt under another administrator.

    Example: crossings init --admin Admin --db changbai.db
    """
    from ..keys import fingerprint

    with Service.init(db, admin) as svc:
        first = svc.actor(admin)
        path = svc.keys.path(svc.database, first.name)
    say(f"created {db}: administrator {first.name}, key {path}")
    click.echo(fingerprint(str(first.public_key)))


@click.command()
@actor_option
@db_option
def upgrade(actor: str | None, db: str) -> None:
    """Bring a database of an earlier crossings up to this one's schema.

    By an administrator: every pending step and a signed row saying so, in one
    transaction. Back the file up first: an older crossings cannot open it afterwards.

    Example: crossings upgrade --as Admin --db changbai.db
    """
    done = Service.upgrade(db, actor)
    if done["steps"]:
        say(f"upgraded {db} from schema {done['from']} to {done['to']}: "
            f"{', '.join(done['steps'])}")
    else:
        say(f"{db} is up to date (schema {done['to']})")


@click.group()
def actor() -> None:
    """Register the people who act, each with one role and a key; retire them.

    Example: crossings actor add Zhao --role county-officer --as Admin
    """


@actor.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(_ROLES), help="The actor's role.")
@click.option("--public-key", "public_key", type=click.Path(dir_okay=False, exists=True),
              metavar="FILE", help="Register this OpenSSH public key (made elsewhere, e.g. "
                                   "by 'crossings key new'), instead of making a pair here.")
@actor_option
@db_option
def actor_add(name: str, role: str, public_key: str | None, actor: str | None, db: str) -> None:
    """Register an actor (a set-up step, by an administrator, recorded in the trail).

    Without --public-key, a key pair is made and the private key kept in the key
    directory, so a historian working alone has nothing more to do.

    Example: crossings actor add Kim --role border-defence --as Admin
    """
    text = Path(public_key).read_text(encoding="utf-8") if public_key else None
    with service(db) as svc:
        added = svc.add_actor(name, role, actor, public_key=text)
    where = f", key {added['key']}" if added["key"] else ", key registered from " + str(public_key)
    say(f"registered {added['name']} as {added['role']}{where}")


@actor.command("retire")
@click.argument("name")
@actor_option
@db_option
def actor_retire(name: str, actor: str | None, db: str) -> None:
    """Retire an actor: no further commands by them; their history is kept.

    Example: crossings actor retire Kim --as Admin
    """
    with service(db) as svc:
        retired = svc.retire_actor(name, actor)
    say(f"retired {retired['name']} at {retired['retired_at']}")


@actor.command("list")
@db_option
@output_options()
def actor_list(db: str, fmt: str | None) -> None:
    """List the registered actors, their roles and keys' fingerprints.

    Example: crossings actor list --json
    """
    from ..keys import fingerprint

    with service(db, readonly=True) as svc:
        rows = [{**a, "fingerprint": fingerprint(a["public_key"])} for a in svc.actors()]
    emit(rows, fmt, ["name", "role", "fingerprint", "added_at", "retired_at"])


@click.group()
def key() -> None:
    """Keys kept by each actor: make one for a database, or bring an existing one.

    Example: crossings key new Zhao --out zhao.pub --db changbai.db
    """


@key.command("new")
@click.argument("name")
@click.option("--out", "out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the public key to FILE (default: stdout) for the administrator.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@db_option
def key_new(name: str, out: str | None, force: bool, db: str) -> None:
    """Make a key pair for NAME on this database; the private key stays in the key directory.

    The administrator then registers the public key: crossings actor add NAME --role R
    --public-key FILE.

    Example: crossings key new Zhao --out zhao.pub --db changbai.db
    """
    from ..keys import KeyRing, PrivateKey

    with service(db, readonly=True) as svc:
        database, ring = svc.database, KeyRing()
    made = PrivateKey.generate()
    path = ring.save(database, name, made)
    _public_out(made.public, out, force, db)
    say(f"private key for {name} kept at {path}")


@key.command("import")
@click.argument("name")
@click.argument("private_key", type=click.Path(dir_okay=False), metavar="FILE")
@click.option("--out", "out", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write the public key to FILE.")
@click.option("--force", is_flag=True, help="Replace --out FILE if it exists.")
@db_option
def key_import(name: str, private_key: str, out: str | None, force: bool, db: str) -> None:
    """Keep an existing Ed25519 key (ssh-keygen -t ed25519, unencrypted) as NAME's key here.

    Example: crossings key import Zhao ~/.ssh/id_ed25519 --db changbai.db
    """
    from ..keys import KeyRing, PrivateKey, fingerprint

    with service(db, readonly=True) as svc:
        database = svc.database
    try:
        text = Path(private_key).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"cannot read the key {private_key}: {error}") from None
    made = PrivateKey.from_openssh(text, private_key)
    path = KeyRing().save(database, name, made)
    if out is not None:
        _public_out(made.public, out, force, db)
    say(f"private key for {name} kept at {path}; fingerprint {fingerprint(made.public)}")


def _public_out(public: str, out: str | None, force: bool, db: str) -> None:
    if out is None:
        click.echo(public)
        return
    write_new(out, (public + "\n").encode(), force=force, protect=db)


@click.group()
def setting() -> None:
    """Show and change the policy's settings (periods, dates, names it leaves open).

    Example: crossings setting list
    """


@setting.command("set", help=f"""Change a setting (by an administrator, recorded in the trail).

    Example: crossings setting set {POLICY.settings[0].name} {POLICY.settings[0].default} --as Admin
    """)
@click.argument("name", type=click.Choice([s.name for s in (*OFFICE_SETTINGS, *POLICY.settings)]))
@click.argument("value")
@actor_option
@db_option
def setting_set(name: str, value: str, actor: str | None, db: str) -> None:
    with service(db) as svc:
        changed = svc.set_setting(name, value, actor)
    say(f"{changed['name']} = {changed['value']}")


@setting.command("list")
@db_option
@output_options()
def setting_list(db: str, fmt: str | None) -> None:
    """List the settings in force, with their clauses.

    Example: crossings setting list --json
    """
    with service(db, readonly=True) as svc:
        values = svc.settings()
    rows = [{"name": s.name, "value": values[s.name], "default": s.default,
             "clauses": ",".join(s.clauses), "meaning": s.help}
            for s in (*OFFICE_SETTINGS, *POLICY.settings)]
    emit(rows, fmt, ["name", "value", "default", "clauses", "meaning"])


COMMANDS = [init, upgrade, actor, key, setting]
