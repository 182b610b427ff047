"""Sealed data: AES-GCM ciphertext that says where it belongs and fails loudly if altered.

A seal is ``version byte | 12-byte nonce | ciphertext with its 16-byte tag``. The
``place`` (for example ``state|SI-7K3Q-9F2M``) is authenticated with it, so a ciphertext
copied onto another case or column fails to open as surely as one changed bit by bit.
A seal that fails to open raises :class:`SealBroken`: the pages never show garbage.
"""

from __future__ import annotations

import json
import os
import zlib
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from engine.errors import EngineError

FORMAT = b"\x01"
ZLIB = b"\x78"
"""The first byte of a zlib stream."""
NONCE_BYTES = 12


class SealBroken(EngineError):
    """Stored ciphertext that does not open: it was altered, or the key is not its key."""

    code = "integrity_error"
    http_status = 500


def seal(key: bytes, plaintext: bytes, place: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT + nonce + AESGCM(key).encrypt(nonce, plaintext, place.encode())


def open_seal(key: bytes, sealed: bytes, place: str) -> bytes:
    if not sealed or sealed[:1] != FORMAT or len(sealed) < 1 + NONCE_BYTES + 16:
        raise SealBroken(f"the sealed {_what(place)} is not in a format this engine reads")
    nonce, ciphertext = sealed[1:1 + NONCE_BYTES], sealed[1 + NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, place.encode())
    except InvalidTag:
        raise SealBroken(f"the sealed {_what(place)} failed its integrity check: it was "
                         "altered, or it was sealed with another key") from None


def seal_json(key: bytes, value: Any, place: str, *, compress: bool = False) -> bytes:
    """``value`` as JSON, sealed; ``compress`` deflates it first.

    A workflow's state is tens of kilobytes of repetitive JSON, about seven times smaller
    deflated, and ciphertext does not compress: the database and its backups stay the
    size they were before sealing. The length of a sealed state says little: an actor
    who could read the database would also have to write the same case again and again
    to learn anything from it, and each task takes her input once.
    """
    text = json.dumps(value, separators=(",", ":")).encode()
    return seal(key, zlib.compress(text, 1) if compress else text, place)


def open_json(key: bytes, sealed: bytes, place: str) -> Any:
    plain = open_seal(key, sealed, place)
    if plain[:1] == ZLIB:  # no JSON text starts with "x"
        plain = zlib.decompress(plain)
    return json.loads(plain)


def _what(place: str) -> str:
    """``state|SI-7K3Q-9F2M`` -> ``state of case SI-7K3Q-9F2M``: codes only, never data."""
    column, _, code = place.partition("|")
    return f"{column} of case {code}" if code else column
