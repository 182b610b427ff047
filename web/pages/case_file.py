"""Her case file's notes and documents: written and added from the case page.

The case page (monitor.case) lists them; these routes take a note, take a document,
hand a document back and remove one. The engine decides who may do each
(engine.protection.case_file); the pages only say it in words.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any, NoReturn

from flask import Blueprint, abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from engine.crypto.vault import CaseErased
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.obligations.consents import KEEPERS
from engine.protection.case_file import DOCUMENT_LIMIT
from engine.protection.privacy import CASE_READERS

from ..common.acting import engine, reader, roles_required
from ..common.procedure_texts import translate

bp = Blueprint("case_file", __name__)
CASE_PAGE_ROLES = (*CASE_READERS, *KEEPERS)
UPLOAD_ALLOWANCE = 64 * 1024
"""Room in an upload's request for the form around the file: a file just over the
limit is refused with its size in words, not as a request too large."""


@bp.url_value_preprocessor
def _room_for_a_document(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """An upload may be larger than any other request. This runs before every
    ``before_request`` function, the CSRF check among them, which reads the body."""
    if endpoint == "case_file.add_document":
        request.max_content_length = DOCUMENT_LIMIT + UPLOAD_ALLOWANCE


@bp.post("/cases/<code>/notes")
@roles_required(*CASE_PAGE_ROLES)
def add_note(code: str) -> Response:
    try:
        engine().case_file.add_note(reader(), code, request.form.get("text", ""))
    except ValidationFailed as exc:
        _refused(exc, "notes")
    except (Forbidden, NotFound, CaseErased) as exc:
        _abort_for(exc)
    else:
        flash(gettext("The note is kept in her case file."), "success|notes")
    return redirect(url_for("monitor.case", code=code) + "#notes")


@bp.post("/cases/<code>/documents")
@roles_required(*CASE_PAGE_ROLES)
def add_document(code: str) -> Response:
    upload = request.files.get("file")
    kind = request.form.get("kind", "")
    try:
        engine().case_file.add_document(
            reader(), code, kind, (upload.filename or "") if upload else "",
            upload.read() if upload else b"")
    except ValidationFailed as exc:
        _refused(exc, "documents")
        # The kind chosen stays chosen; a browser never keeps the file itself.
        return redirect(url_for("monitor.case", code=code, kind=kind) + "#documents")
    except (Forbidden, NotFound, CaseErased) as exc:
        _abort_for(exc)
    flash(gettext("The document is kept in her case file, sealed."), "success|documents")
    return redirect(url_for("monitor.case", code=code) + "#documents")


@bp.get("/cases/<code>/documents/<int:document_id>")
@roles_required(*CASE_PAGE_ROLES)
def document(code: str, document_id: int) -> Response:
    try:
        found = engine().case_file.document(reader(), code, document_id)
    except (Forbidden, NotFound, CaseErased) as exc:
        _abort_for(exc)
    response = send_file(BytesIO(found.data), mimetype=found.content_type,
                         as_attachment=True, download_name=found.name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@bp.post("/cases/<code>/documents/<int:document_id>/remove")
@roles_required(*CASE_PAGE_ROLES)
def remove_document(code: str, document_id: int) -> Response:
    if request.form.get("confirmed") != "1":
        flash(gettext("Tick the box to confirm that the document is to be removed."),
              "error|documents")
        return redirect(url_for("monitor.case", code=code) + "#documents")
    try:
        engine().case_file.remove_document(reader(), code, document_id)
    except (Forbidden, NotFound, CaseErased) as exc:
        _abort_for(exc)
    flash(gettext("The document was removed; the case file says who added and who "
                  "removed it."), "success|documents")
    return redirect(url_for("monitor.case", code=code) + "#documents")


def _refused(exc: ValidationFailed, section: str) -> None:
    """Each reason, said beside the form it refuses (the case page shows a message whose
    category names its section in that section)."""
    for messages in exc.fields.values():
        for message in messages:
            flash(translate(message), f"error|{section}")


def _abort_for(exc: Exception) -> NoReturn:
    if isinstance(exc, Forbidden):
        abort(403)
    if isinstance(exc, CaseErased):
        abort(410)
    abort(404, description=getattr(exc, "message", None))
