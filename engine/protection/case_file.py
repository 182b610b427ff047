"""Her case file: caseworkers' notes and the documents kept with her case.

A note is free text about her, so it is a narrative (engine.protection.privacy): only
the roles that read narratives read and write notes. A document has a kind (the police
decision, the permit, a school certificate...) and each kind says which kind of data it
holds; the roles that may read that kind see it, download it and add one. Everything
about her is sealed with her case's key: the note's text, the document's name and
content. Erasing the case drops them, and the destroyed key makes any copy unreadable.

Every read of a note or a document's content is in the access log, and every refused
attempt too. A note is never changed: a correction is a new note. A document added by
mistake is removed by the one who added it or by the coordinator; its content goes,
the line saying who added and who removed it stays.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from engine.context import EngineContext
from engine.crypto.sealing import SealBroken
from engine.crypto.vault import BROKEN
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.kit.documents import DocumentKind
from engine.kit.texts import translatable
from engine.protection.access import REFUSED, AccessLog, Reader
from engine.protection.file_types import (
    EXTENSIONS,
    TYPE_OF_EXTENSION,
    FileRefused,
    content_type,
)
from engine.protection.plain_text import refuse_broken_text
from engine.protection.privacy import NARRATIVE, readable
from engine.store.models import CaseDocument, CaseNote
from engine.store.unit_of_work import UnitOfWork
from engine.views import View

NOTE_LIMIT = 20_000
"""Characters in one note: a page of narrative is about 3,000."""
DOCUMENT_LIMIT = 10 * 1024 * 1024
"""Bytes in one document: a scanned decision of a few pages."""
NAME_LIMIT = 200
REMOVERS = ("coordinator",)
"""Who removes any document; the one who added a document removes it too."""
NOTES_FIELD = "case_notes"


@dataclass(frozen=True)
class NoteView(View):
    id: int
    written_at: datetime
    written_by: str
    text: str


@dataclass(frozen=True)
class DocumentView(View):
    id: int
    kind: str
    name: str
    content_type: str
    size: int
    added_at: datetime
    added_by: str
    removed_at: datetime | None
    removed_by: str | None
    removable: bool


@dataclass(frozen=True)
class DocumentContent:
    name: str
    content_type: str
    data: bytes


class CaseFileService:
    def __init__(self, ctx: EngineContext, access: AccessLog,
                 kinds: Sequence[DocumentKind]) -> None:
        self.ctx = ctx
        self.access = access
        self.kinds = {kind.key: kind for kind in kinds}

    # notes

    def notes(self, reader: Reader, code: str, what: str) -> list[NoteView]:
        """Her case's notes, newest first; the read is logged when there are any."""
        self._require_narrative(reader, code, what)
        with self.ctx.db.transaction() as session:
            self.ctx.vault.case_record(session, code)
            rows = session.scalars(select(CaseNote).where(CaseNote.case_code == code)
                                   .order_by(CaseNote.id.desc())).all()
            if rows:
                self.access.record_in(session, reader, code, [NOTES_FIELD], what)
            return [NoteView(row.id, row.written_at, row.written_by,
                             self._open_note(session, row)) for row in rows]

    def add_note(self, reader: Reader, code: str, text: str) -> NoteView:
        self._require_narrative(reader, code, "writing a case note")
        text = (text or "").strip() if isinstance(text, str) else text
        if not isinstance(text, str) or not text:
            raise ValidationFailed("no note was written",
                                   {"text": [translatable("Write the note.")]})
        refuse_broken_text({"text": text}, "no note was written")
        if len(text) > NOTE_LIMIT:
            raise ValidationFailed("no note was written", {"text": [translatable(
                "A note is at most {most} characters; split it in two.").format(
                    most=NOTE_LIMIT)]})
        with self.ctx.db.transaction() as session:
            self.ctx.vault.case_record(session, code)
            row = CaseNote(case_code=code, written_at=self.ctx.now(),
                           written_by=reader.username)
            session.add(row)
            session.flush()
            row.body = self.ctx.vault.seal(session, code, _note_place(row.id), text)
            session.audit("case_note_written", reader.username, detail=f"case {code}")
            return NoteView(row.id, row.written_at, row.written_by, text)

    # documents

    def documents(self, reader: Reader, code: str, what: str) -> list[DocumentView]:
        """The documents of the kinds her roles may read, newest first, removed ones
        included (without content); showing their names is logged."""
        kinds = self.readable_kinds(reader)
        with self.ctx.db.transaction() as session:
            self.ctx.vault.case_record(session, code)
            rows = session.scalars(select(CaseDocument).where(
                CaseDocument.case_code == code, CaseDocument.kind.in_(kinds))
                .order_by(CaseDocument.id.desc())).all() if kinds else []
            shown = [row for row in rows if row.about is not None]
            if shown:
                self.access.record_in(session, reader, code,
                                      sorted({row.kind for row in shown}), what)
            return [self._view(session, reader, row) for row in rows]

    def add_document(self, reader: Reader, code: str, kind: str, name: str,
                     data: bytes) -> DocumentView:
        """Keep a file in her case file, once its kind, size and content are checked."""
        found = self.kinds.get(kind)
        problems: dict[str, list[str]] = {}
        if found is None:
            problems["kind"] = [translatable("Choose what kind of document it is.")]
        elif found.holds not in readable(reader.roles):
            self.access.record(reader, code, [kind], "adding a document", REFUSED)
            raise Forbidden("your roles may not read this kind of document, so they may "
                            "not add one")
        detected = ""
        if not data:
            problems["file"] = [translatable("Choose the file to add.")]
        elif len(data) > DOCUMENT_LIMIT:
            problems["file"] = [translatable(
                "The file is {size} MB; a document is at most {most} MB.").format(
                    size=_megabytes(len(data)), most=_megabytes(DOCUMENT_LIMIT))]
        else:
            try:
                detected = content_type(data)
            except FileRefused as refused:
                problems["file"] = [refused.reason]
        if problems:
            raise ValidationFailed("the document was not added", problems)
        name = _file_name(name, detected)
        refuse_broken_text({"file": name}, "the document was not added")
        with self.ctx.db.transaction() as session:
            self.ctx.vault.case_record(session, code)
            ref = os.urandom(16).hex()
            row = CaseDocument(
                ref=ref, case_code=code, kind=kind, content_type=detected, size=len(data),
                added_at=self.ctx.now(), added_by=reader.username,
                about=self.ctx.vault.seal(session, code, _about_place(ref), {
                    "name": name, "sha256": hashlib.sha256(data).hexdigest()}),
                content=self.ctx.vault.seal_bytes(session, code, _content_place(ref), data))
            session.add(row)
            session.flush()
            session.audit("document_added", reader.username, data_keys=[kind],
                          detail=f"case {code}")
            return self._view(session, reader, row)

    def document(self, reader: Reader, code: str, document_id: int) -> DocumentContent:
        """A document's file, for a role that may read its kind; the read is logged."""
        with self.ctx.db.reading() as session:
            kind = self._row(session, code, document_id).kind
        if kind not in self.readable_kinds(reader):
            self.access.record(reader, code, [kind], "opening a document", REFUSED)
            raise Forbidden("your roles may not read this kind of document")
        with self.ctx.db.transaction() as session:
            row = self._row(session, code, document_id)
            if row.content is None or row.about is None:
                raise NotFound("this document was removed; its content is no longer kept")
            data = self.ctx.vault.open_bytes(session, code, _content_place(row.ref),
                                             row.content)
            self.access.record_in(session, reader, code, [row.kind], "opening a document")
            return DocumentContent(self._about(session, row)["name"], row.content_type, data)

    def remove_document(self, reader: Reader, code: str, document_id: int) -> DocumentView:
        """Drop a document's content; who added and who removed it stay."""
        with self.ctx.db.transaction() as session:
            row = self._row(session, code, document_id)
            if not _may_remove(reader, row):
                raise Forbidden("a document is removed by the one who added it or by the "
                                "coordinator")
            if row.removed_at is None:
                row.content = None
                row.removed_at, row.removed_by = self.ctx.now(), reader.username
                session.audit("document_removed", reader.username, data_keys=[row.kind],
                              detail=f"case {code}")
            return self._view(session, reader, row)

    def readable_kinds(self, reader: Reader) -> list[str]:
        reads = readable(reader.roles)
        return [key for key, kind in self.kinds.items() if kind.holds in reads]

    # erasure and export

    @staticmethod
    def erase(session: UnitOfWork, code: str) -> None:
        """Drop what is sealed in her case file: the case is being erased."""
        session.execute(update(CaseNote).where(CaseNote.case_code == code).values(body=None))
        session.execute(update(CaseDocument).where(CaseDocument.case_code == code)
                        .values(about=None, content=None))

    def export(self, session: UnitOfWork, code: str) -> dict[str, list[dict[str, object]]]:
        """Her notes and documents, opened, for the export of everything held about her."""
        notes = session.scalars(select(CaseNote).where(CaseNote.case_code == code)
                                .order_by(CaseNote.id)).all()
        documents = session.scalars(select(CaseDocument).where(
            CaseDocument.case_code == code).order_by(CaseDocument.id)).all()
        return {
            "notes": [{"written_at": row.written_at.isoformat(), "written_by": row.written_by,
                       "text": self._open_note(session, row)} for row in notes],
            "documents": [self._exported(session, row) for row in documents],
        }

    # inside

    def _require_narrative(self, reader: Reader, code: str, what: str) -> None:
        if NARRATIVE not in readable(reader.roles):
            self.access.record(reader, code, [NOTES_FIELD], what, REFUSED)
            raise Forbidden("case notes are read and written only by the roles that work "
                            "with her account")

    def _row(self, session: UnitOfWork, code: str, document_id: int) -> CaseDocument:
        self.ctx.vault.case_record(session, code)
        row = session.get(CaseDocument, document_id)
        if row is None or row.case_code != code:
            raise NotFound(f"case {code} has no document {document_id}")
        return row

    def _open_note(self, session: UnitOfWork, row: CaseNote) -> str:
        if row.body is None:
            return ""
        try:
            return str(self.ctx.vault.open(session, row.case_code, _note_place(row.id),
                                           row.body))
        except SealBroken:
            return BROKEN

    def _about(self, session: UnitOfWork, row: CaseDocument) -> dict[str, Any]:
        """Its file name and SHA-256; nothing once erased with the case."""
        if row.about is None:
            return {}
        found: dict[str, Any] = self.ctx.vault.open(session, row.case_code,
                                                    _about_place(row.ref), row.about)
        return found

    def _view(self, session: UnitOfWork, reader: Reader, row: CaseDocument) -> DocumentView:
        try:
            name = self._about(session, row).get("name", "")
        except SealBroken:
            name = BROKEN
        return DocumentView(row.id, row.kind, name, row.content_type, row.size, row.added_at,
                            row.added_by, row.removed_at, row.removed_by,
                            removable=row.removed_at is None and _may_remove(reader, row))

    def _exported(self, session: UnitOfWork, row: CaseDocument) -> dict[str, object]:
        about = self._about(session, row)
        data = (self.ctx.vault.open_bytes(session, row.case_code, _content_place(row.ref),
                                          row.content)
                if row.content is not None else None)
        return {"kind": row.kind, "name": about.get("name"), "sha256": about.get("sha256"),
                "content_type": row.content_type, "size": row.size,
                "added_at": row.added_at.isoformat(), "added_by": row.added_by,
                "removed_at": row.removed_at.isoformat() if row.removed_at else None,
                "removed_by": row.removed_by,
                "content_base64": _base64(data) if data is not None else None}


def _may_remove(reader: Reader, row: CaseDocument) -> bool:
    return row.added_by == reader.username or any(r in REMOVERS for r in reader.roles)


def _note_place(note_id: int) -> str:
    return f"case note {note_id}"


def _about_place(ref: str) -> str:
    return f"document about {ref}"


def _content_place(ref: str) -> str:
    """Bound to the document's random reference: a content copied onto another
    document's row fails to open."""
    return f"document {ref}"


def _file_name(name: str, detected: str) -> str:
    """The name as given, without folders or control characters, ending as its type."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(c for c in base if c.isprintable()).strip(" .")[:NAME_LIMIT]
    extension = os.path.splitext(base)[1].lower()
    if extension and TYPE_OF_EXTENSION.get(extension) == detected:
        return base
    return f"{base or 'document'}{EXTENSIONS[detected]}"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode()
