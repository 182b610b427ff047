"""Her personal record: /cases/<code>/person, for the roles that need to know who she is.

Each role sees only the fields of the kinds it may read (engine.privacy); the read is in
the access log. The coordinator, NGO counsellors and social workers change it here.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from engine.crypto.vault import CaseErased
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.protection.privacy import PERSON_READERS
from forms.person import PersonRecord

from ..common.acting import engine, reader, roles_required
from ..common.form_fields import describe, submitted
from ..common.procedure_texts import translate

bp = Blueprint("people", __name__)


@bp.route("/cases/<code>/person", methods=["GET", "POST"])
@roles_required(*PERSON_READERS)
def person(code: str) -> Any:
    people = engine().people
    errors: dict[str, Any] = {}
    values: dict[str, Any] | None = None
    status = 200
    try:
        if request.method == "POST":
            values = submitted(PersonRecord(), request.form)
            try:
                people.write(reader(), code, values, f"record of {code} page")
            except ValidationFailed as exc:
                errors, status = exc.fields, 422
                flash(gettext("The record was not changed: see the messages next to the "
                              "fields."), "error")
            else:
                flash(gettext("Her personal record was saved."), "success")
                return redirect(url_for("people.person", code=code))
        found = people.read(reader(), code, f"record of {code} page")
    except Forbidden:
        abort(403)
    except NotFound as exc:
        abort(404, description=exc.message)
    except CaseErased:
        abort(410)
    schema = PersonRecord()
    shown = [spec for spec in describe(schema, values if values is not None else found.fields,
                                       errors, translate=translate)
             if spec.name in found.fields]
    return render_template("person.html", code=code, person=found, fields=shown,
                           today=engine().ctx.today()), status
