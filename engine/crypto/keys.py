"""The master key and the data key of each case: envelope encryption with AES-GCM.

Each case has its own random data key; what is stored is that key sealed with the
master key, which never touches the database. Destroying a case's sealed key makes
everything sealed with it unreadable for good (crypto-erasure), in every backup too.

The master key comes from ``VARNAPOT_MASTER_KEY`` (32 bytes, URL-safe base64), else from
the file ``VARNAPOT_MASTER_KEY_FILE`` names, else from ``instance/master.key``. A new
database stores a check value sealed with it, so an engine started with another key
refuses to start instead of failing case by case.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from engine.crypto.sealing import SealBroken, open_seal, seal
from engine.errors import EngineError

KEY_BYTES = 32
DEFAULT_KEY_FILE = Path("instance") / "master.key"
CHECK_PLACE = "master key check"
CHECK_TEXT = b"varnapot master key"


class MasterKeyError(EngineError):
    """No master key, a malformed one, or not the key this database was sealed with."""

    code = "master_key"


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


def decode_key(text: str, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise MasterKeyError(f"the master key in {source} is not {KEY_BYTES} bytes of "
                             "URL-safe base64 (make one with `varnapot keys create`)")
    return key


def master_key_from(environ: Mapping[str, str], *,
                    default_file: bool = True) -> bytes | None:
    """The configured master key, or None when none is configured anywhere.

    ``default_file=False`` (production) ignores ``instance/master.key``: a key left on
    the server's disk next to the database protects nothing. A file named by
    ``VARNAPOT_MASTER_KEY_FILE``, such as a mounted secret, is still read.
    """
    if environ.get("VARNAPOT_MASTER_KEY"):
        return decode_key(environ["VARNAPOT_MASTER_KEY"], "VARNAPOT_MASTER_KEY")
    named = environ.get("VARNAPOT_MASTER_KEY_FILE")
    if named:
        path = Path(named)
        if not path.exists():
            raise MasterKeyError(f"VARNAPOT_MASTER_KEY_FILE names {path}, which does not exist")
    elif default_file and DEFAULT_KEY_FILE.exists():
        path = DEFAULT_KEY_FILE
    else:
        return None
    return decode_key(path.read_text(), str(path))


def create_key_file(path: Path = DEFAULT_KEY_FILE) -> bytes:
    """A new master key in ``path``, readable by its owner only; refuses to overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(encode_key(key) + "\n")
    return key


class KeyRing:
    """Seals and opens the data keys of cases with the master key."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != KEY_BYTES:
            raise MasterKeyError(f"a master key is {KEY_BYTES} bytes")
        self._master = master_key

    def new_case_key(self, case_code: str) -> tuple[bytes, bytes]:
        """A fresh data key for a case and the same key sealed for storage."""
        key = new_key()
        return key, seal(self._master, key, _place(case_code))

    def case_key(self, case_code: str, sealed_key: bytes) -> bytes:
        return open_seal(self._master, sealed_key, _place(case_code))

    def derived(self, purpose: str) -> bytes:
        """A key for ``purpose`` derived from the master key (HKDF-SHA256): the master key
        itself is used for nothing but sealing case keys."""
        return derive_key(self._master, purpose)

    def check_value(self) -> bytes:
        return seal(self._master, CHECK_TEXT, CHECK_PLACE)

    def verify(self, check_value: bytes) -> None:
        """Refuse a master key other than the one the database was first sealed with."""
        try:
            if open_seal(self._master, check_value, CHECK_PLACE) == CHECK_TEXT:
                return
        except SealBroken:
            pass
        raise MasterKeyError("the master key is not the one this database was sealed with: "
                             "check VARNAPOT_MASTER_KEY; the engine does not start")


def derive_key(master_key: bytes, purpose: str) -> bytes:
    """HKDF-SHA256 of the master key for ``purpose``, as :meth:`KeyRing.derived`."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                info=f"varnapot {purpose}".encode()).derive(master_key)


def _place(case_code: str) -> str:
    return f"case key|{case_code}"
