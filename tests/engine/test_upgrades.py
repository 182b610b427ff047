"""Upgrading a database that already holds her data: notes get sealed, the log keyed."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, date, datetime

from sqlalchemy import text

from engine import ProcessEngine
from engine.crypto.keys import KeyRing, decode_key
from engine.store.db import Database
from tests.product import product_config

CODE = "SI-UPGR-ADE1"
NOTE = "Signed by Julija Kovalenko with interpreter Marta"
GENESIS = "0" * 64


def _plain_link(previous: str, event: dict) -> str:
    """How a link was made before the chain was keyed."""
    content = [previous, event["id"], event["at"].isoformat(), event["username"],
               event["roles"], event["case_code"], event["fields"], event["what"],
               event["source"], event["outcome"]]
    return hashlib.sha256(json.dumps(content, separators=(",", ":"),
                                     ensure_ascii=False).encode()).hexdigest()


def test_an_upgrade_seals_typed_consent_notes_and_keys_the_access_chain(tmp_path):
    url = f"sqlite:///{tmp_path / 'before.db'}"
    older = Database(url)
    older.upgrade("0012")
    keyring = KeyRing(decode_key(os.environ["VARNAPOT_MASTER_KEY"], "test"))
    _, sealed_key = keyring.new_case_key(CODE)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with older.engine.begin() as connection:
        connection.execute(text("INSERT INTO case_record (code, sealed_key, legal_hold, "
                                "created_at) VALUES (:c, :k, false, :t)"),
                           {"c": CODE, "k": sealed_key, "t": now})
        connection.execute(text(
            "INSERT INTO consent (case_code, purpose, recipient, status, decided_on, given_by,"
            " obtained, interpreter_used, recorded_by, recorded_at) VALUES (:c, 'schooling',"
            " 'the school', 'given', :d, 'herself', :n, true, 'coordinator', :t)"),
            {"c": CODE, "d": date(2026, 3, 1), "n": NOTE, "t": now})
        previous = GENESIS
        for number in (1, 2):
            event = {"id": number, "at": now, "username": "coordinator",
                     "roles": "coordinator", "case_code": CODE, "fields": ["narrative"],
                     "what": "case page", "source": "127.0.0.1", "outcome": "granted"}
            link = _plain_link(previous, event)
            connection.execute(text(
                "INSERT INTO access_event (id, at, username, roles, case_code, fields, what,"
                " source, outcome, previous_hash, hash) VALUES (:id, :at, :username, :roles,"
                " :case_code, :fields, :what, :source, :outcome, :previous, :hash)"),
                {**event, "fields": json.dumps(event["fields"]), "previous": previous,
                 "hash": link})
            previous = link
        connection.execute(text("UPDATE access_chain SET last_id = 2, last_hash = :h"),
                           {"h": previous})
    older.upgrade()
    older.dispose()
    assert NOTE.encode() not in (tmp_path / "before.db").read_bytes()

    upgraded = ProcessEngine(product_config(database_url=url, clock="manual"))
    try:
        assert [c.obtained for c in upgraded.consents.consents(CODE)] == [NOTE]
        check = upgraded.access.verify()
        assert (check.intact, check.events) == (True, 2), check.problem
    finally:
        upgraded.close()
