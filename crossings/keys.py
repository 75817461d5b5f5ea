"""Actors' keys: Ed25519 pairs in OpenSSH format, kept one file per database and actor.

The private key of actor NAME for database ID lives at ``KEYS/ID/NAME.key`` (readable by
its owner only), where KEYS is ``$CROSSINGS_KEYS``, else ``$XDG_CONFIG_HOME/crossings/keys``,
else ``~/.config/crossings/keys``; an existing ``ssh-keygen -t ed25519`` key (unencrypted)
can serve there. The public key is registered in the trail, by the administrator's signed
row. Signing and checking are libsodium's (PyNaCl), which does both in about half
OpenSSL's time; the OpenSSH private-key file is read here (a few lines of a simple
format), and written by the ``cryptography`` package, which no command that acts loads.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from pathlib import Path
from typing import Callable

from workflow import InvalidInput, NotFound
from workflow.values import fold_name

KIND = "ssh-ed25519"
_BEGIN, _END = "-----BEGIN OPENSSH PRIVATE KEY-----", "-----END OPENSSH PRIVATE KEY-----"
_MAGIC = b"openssh-key-v1\0"


def key_dir() -> Path:
    """Where private keys are kept (see the module's docstring)."""
    configured = os.environ.get("CROSSINGS_KEYS")
    if configured:
        return Path(configured)
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config) / "crossings" / "keys"


def file_name(actor: str) -> str:
    """A file name for an actor's key: the folded name, with '/', '%' and a leading '.'
    percent-encoded (names may hold any script; file systems take UTF-8)."""
    name = fold_name(actor).replace("%", "%25").replace("/", "%2F")
    return ("%2E" + name[1:] if name.startswith(".") else name) + ".key"


# -- public keys ---------------------------------------------------------------------------

def public_blob(public: str) -> bytes:
    """The wire blob of an OpenSSH public key line ``ssh-ed25519 BASE64 [comment]``."""
    parts = str(public).strip().split()
    if len(parts) < 2 or parts[0] != KIND:
        raise InvalidInput(f"not an OpenSSH Ed25519 public key ({KIND} AAAA...)")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("the public key's base64 is damaged") from None
    kind, rest = _string(blob, 0)
    key, end = _string(blob, rest)
    if kind != KIND.encode() or len(key) != 32 or end != len(blob):
        raise InvalidInput("not an OpenSSH Ed25519 public key")
    return blob


def normal_public(public: str) -> str:
    """The public key as the trail keeps it: ``ssh-ed25519 BASE64``, no comment."""
    return f"{KIND} {base64.b64encode(public_blob(public)).decode()}"


def fingerprint(public: str) -> str:
    """OpenSSH's fingerprint of a public key: ``SHA256:`` and unpadded base64."""
    import hashlib  # not at start-up: loading OpenSSL costs a read command ~2.5 ms

    digest = hashlib.sha256(public_blob(public)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def verify(public: str, message: bytes, signature: str) -> bool:
    """Whether SIGNATURE (base64) is the key's signature of MESSAGE."""
    return verifier(public)(message, signature)


def verifier(public: str) -> Callable[[bytes, str], bool]:
    """A checker of signatures by one public key (built once, for many rows).

    libsodium's Ed25519 (PyNaCl), not OpenSSL's (cryptography): the same RFC 8032
    signatures, checked in 63-69 us against 119 us here, and ``verify`` is mostly this
    check. libsodium is the stricter of the two (it refuses a
    key or point of small order and a non-canonical S, which no signer here makes).
    """
    from nacl.bindings import crypto_sign_open
    from nacl.exceptions import CryptoError

    try:
        key = public_blob(public)[-32:]
    except InvalidInput:
        return lambda message, signature: False

    def check(message: bytes, signature: str) -> bool:
        try:
            signed = base64.b64decode(signature, validate=True)
            if len(signed) != 64:  # else message bytes would be read as signature
                return False
            crypto_sign_open(signed + message, key)
        except (CryptoError, binascii.Error, ValueError, TypeError):
            return False
        return True

    return check


# -- private keys ----------------------------------------------------------------------------

class PrivateKey:
    """An Ed25519 private key (its 32-byte seed), with its public key in OpenSSH form.
    Signs with libsodium (PyNaCl): 27 us a signature here against OpenSSL's 46, the same
    bytes (Ed25519 is deterministic), and 4.5 ms to import against cryptography's 7."""

    def __init__(self, seed: bytes) -> None:
        from nacl.bindings import crypto_sign, crypto_sign_seed_keypair

        raw, self._secret = crypto_sign_seed_keypair(seed)
        self._seed, self._sign = seed, crypto_sign
        self.public = f"{KIND} {base64.b64encode(_wire(KIND.encode(), raw)).decode()}"

    @classmethod
    def generate(cls) -> "PrivateKey":
        return cls(os.urandom(32))

    @classmethod
    def from_openssh(cls, text: str, where: str = "the key") -> "PrivateKey":
        seed = _seed(text)
        if seed is None:
            raise _explained(text, where)
        return cls(seed)

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self._sign(message, self._secret)[:64]).decode()

    def to_openssh(self) -> bytes:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = Ed25519PrivateKey.from_private_bytes(self._seed)
        return key.private_bytes(serialization.Encoding.PEM,
                                 serialization.PrivateFormat.OpenSSH,
                                 serialization.NoEncryption())


def _string(data: bytes, at: int) -> tuple[bytes, int]:
    if at + 4 > len(data):
        raise InvalidInput("truncated key data")
    (size,) = struct.unpack(">I", data[at:at + 4])
    if at + 4 + size > len(data):
        raise InvalidInput("truncated key data")
    return data[at + 4:at + 4 + size], at + 4 + size


def _wire(*fields: bytes) -> bytes:
    return b"".join(struct.pack(">I", len(f)) + f for f in fields)


def _seed(text: str) -> bytes | None:
    """The 32-byte seed of an unencrypted OpenSSH Ed25519 private key, or None."""
    try:
        body = text.strip()
        if not (body.startswith(_BEGIN) and body.endswith(_END)):
            return None
        data = base64.b64decode("".join(body[len(_BEGIN):-len(_END)].split()), validate=True)
        if not data.startswith(_MAGIC):
            return None
        at = len(_MAGIC)
        cipher, at = _string(data, at)
        kdf, at = _string(data, at)
        _, at = _string(data, at)  # kdf options
        count = struct.unpack(">I", data[at:at + 4])[0]
        _, at = _string(data, at + 4)  # the public key
        private, _ = _string(data, at)
        if cipher != b"none" or kdf != b"none" or count != 1 or private[:4] != private[4:8]:
            return None
        kind, at = _string(private, 8)
        public, at = _string(private, at)
        secret, at = _string(private, at)
        if kind != KIND.encode() or len(secret) != 64 or secret[32:] != public:
            return None
        return secret[:32]
    except (InvalidInput, binascii.Error, ValueError, struct.error):
        return None


def _explained(text: str, where: str) -> InvalidInput:
    """Why a key file cannot serve, as cryptography's own reading of it says."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_ssh_private_key(text.encode("utf-8", "replace"), password=None)
    except TypeError:
        return InvalidInput(f"{where} is protected by a passphrase; crossings needs an "
                            "unencrypted key (ssh-keygen -p -N '' -f FILE removes one)")
    except (ValueError, UnsupportedAlgorithm) as error:
        return InvalidInput(f"{where} is not an OpenSSH private key ({error})")
    return InvalidInput(f"{where} is a {type(key).__name__}, not an Ed25519 key "
                        "(ssh-keygen -t ed25519 makes one)")


class KeyRing:
    """The private keys at hand: files in a key directory, or (``memory``) only in this
    process, for throwaway keys such as an in-memory replay's."""

    def __init__(self, directory: str | Path | None = None, *, memory: bool = False) -> None:
        self.directory = None if memory else Path(directory) if directory else key_dir()
        self._held: dict[tuple[str, str], PrivateKey] = {}
        self._pending: list[tuple[str, str, PrivateKey]] = []

    def path(self, database: str, actor: str) -> Path:
        base = self.directory if self.directory is not None else Path("(memory)")
        return base / database / file_name(actor)

    def has(self, database: str, actor: str) -> bool:
        key = (database, fold_name(actor))
        return key in self._held or (self.directory is not None
                                     and self.path(database, actor).is_file())

    def load(self, database: str, actor: str) -> PrivateKey:
        """The actor's private key, or NotFound naming the file looked for."""
        held = self._held.get((database, fold_name(actor)))
        if held is not None:
            return held
        path = self.path(database, actor)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise NotFound(f"no private key for {actor}: looked for {path} (set "
                           "CROSSINGS_KEYS to the directory that holds it)") from None
        key = self._held[(database, fold_name(actor))] = PrivateKey.from_openssh(text, str(path))
        return key

    def hold(self, database: str, actor: str, key: PrivateKey) -> None:
        """Keep a key for this process (not yet, or never, written to a file)."""
        self._held[(database, fold_name(actor))] = key

    def save(self, database: str, actor: str, key: PrivateKey) -> Path | None:
        """Write the key file, readable by its owner only; never over an existing file."""
        self.hold(database, actor, key)
        if self.directory is None:
            return None
        path = self.path(database, actor)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            handle = os.open(path, flags, 0o600)
        except FileExistsError:
            raise InvalidInput(f"a key for {actor} already exists at {path}") from None
        with os.fdopen(handle, "wb") as out:
            out.write(key.to_openssh())
        return path

    def stage(self, database: str, actor: str, key: PrivateKey) -> None:
        """Hold a new key now, write its file at :meth:`commit` (when the row registering
        it has been committed), or forget it at :meth:`rollback`."""
        self.hold(database, actor, key)
        self._pending.append((database, actor, key))

    def commit(self) -> list[Path]:
        """Write the staged keys' files."""
        pending, self._pending = self._pending, []
        return [path for database, actor, key in pending
                if (path := self.save(database, actor, key)) is not None]

    def rollback(self) -> None:
        """Forget the staged keys: the rows that registered them were not written."""
        pending, self._pending = self._pending, []
        for database, actor, _ in pending:
            self._held.pop((database, fold_name(actor)), None)
