"""The words of the procedures in Slovene: forms, tasks, deadlines and notices.

The catalogue is complete (every label, help text, choice, form message, task name and
documentation, deadline title and notice is translated), and a Slovene reader sees them
in Slovene on her task page, next to a refused field, in her inbox and in the form's
JSON Schema; the same case read in English is unchanged.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.web_app import TRANSLATIONS, csrf_of
from web.common import procedure_texts
from web.common.procedure_texts import normalized, translate

ROOT = Path(__file__).resolve().parents[2]
SLOVENE = TRANSLATIONS / "sl" / "LC_MESSAGES" / "procedures.po"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/procedures.po"))
"""Every language's (English is the source: it has none)."""
PLACEHOLDER = re.compile(r"\{\w+\}")


@pytest.fixture(autouse=True)
def catalogues(app, compiled_catalogues):
    app.extensions["babel"].translation_directories = [str(compiled_catalogues)]


@pytest.fixture(scope="module")
def slovene() -> dict[str, str]:
    with SLOVENE.open("rb") as source:
        return {m.id: m.string for m in read_po(source) if m.id}


def sl(slovene: dict[str, str], english: str) -> str:
    """The Slovene of ``english`` as the catalogue has it; it must differ from English."""
    found = slovene[normalized(english)]
    assert found and found != english, english
    return found


def ids(path: Path) -> set[str]:
    with path.open("rb") as source:
        return {m.id for m in read_po(source) if m.id}


# --- the catalogue ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    """Every text of forms/, handlers/, engine/ and processes/ as `make messages` finds it."""
    found = {m.id for m in procedure_texts.template() if m.id}
    assert len(found) > 1000, "extraction found too little: are the forms registered?"
    return found


def test_the_catalogues_hold_every_text_of_the_procedures_and_no_other(extracted):
    hint = "run `make messages`, then translate web/translations/*/LC_MESSAGES/procedures.po"
    assert len(CATALOGUES) >= 5, CATALOGUES  # sl, sr_Latn, sr_Cyrl, bs, hr
    for path in (TRANSLATIONS / "procedures.pot", *CATALOGUES):
        held = ids(path)
        missing, stale = sorted(extracted - held), sorted(held - extracted)
        assert not missing, f"{path.relative_to(ROOT)} lacks {missing[:10]}: {hint}"
        assert not stale, f"{path.relative_to(ROOT)} has texts no procedure uses {stale[:10]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-3])
def test_every_text_is_translated_none_is_fuzzy_and_placeholders_survive(path):
    with path.open("rb") as source:
        catalog = read_po(source)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"translate these in {path.parts[-3]}: {untranslated[:10]}"
    assert not fuzzy, f"check these and drop their fuzzy flag: {fuzzy[:10]}"
    for m in catalog:
        if m.id:
            assert set(PLACEHOLDER.findall(m.string)) == set(PLACEHOLDER.findall(m.id)), m.id


def _calls(folder: str, name: str) -> list[tuple[str, ast.Call]]:
    found = []
    for path in sorted((ROOT / folder).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and (
                    getattr(node.func, "id", None) == name
                    or getattr(node.func, "attr", None) == name):
                found.append((f"{path.name}:{node.lineno}", node))
    return found


def _unmarked(node: ast.AST) -> list[ast.AST]:
    """Texts under ``node`` that the catalogue cannot find: f-strings, and literals
    in a list of messages that are not wrapped in translatable()."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "translatable":
        return []
    if isinstance(node, ast.JoinedStr):
        return [node]
    if isinstance(node, ast.BinOp):  # "Still open: " + codes
        return [node]
    if isinstance(node, ast.List):
        return [e for e in node.elts if isinstance(e, ast.Constant | ast.JoinedStr)] + [
            bad for e in node.elts for bad in _unmarked(e)]
    if isinstance(node, ast.Dict):
        return [bad for value in node.values for bad in _unmarked(value)]
    if isinstance(node, ast.Call | ast.Attribute):
        return [bad for child in ast.iter_child_nodes(node) for bad in _unmarked(child)]
    return []


def test_every_message_a_form_or_handler_writes_can_be_translated():
    """A form's refusal, a deadline's title and a notice are read by people: an f-string
    or an unmarked literal there would stay English in every language."""
    problems = []
    for where, call in _calls("forms", "ValidationError"):
        if call.args and not isinstance(call.args[0], ast.Constant):
            problems += [where for _ in _unmarked(call.args[0])]
            problems += [where] if isinstance(call.args[0], ast.JoinedStr | ast.BinOp) else []
    for where, call in _calls("handlers", "notify"):
        problems += [where for arg in call.args[1:]
                     if isinstance(arg, ast.Constant | ast.JoinedStr) or _unmarked(arg)]
    for where, call in _calls("handlers", "set_deadline"):
        problems += [where for k in call.keywords if k.arg == "title"
                     and (isinstance(k.value, ast.Constant | ast.JoinedStr)
                          or _unmarked(k.value))]
    assert not problems, f"mark these with engine.texts.translatable: {problems}"


# --- what she reads ---------------------------------------------------------------------


def test_in_slovene_a_template_message_keeps_its_values_and_a_new_text_stays(app, slovene):
    with app.test_request_context(headers={"Accept-Language": "sl"}):
        template = sl(slovene, "Each indicator once only: {codes}.")
        assert translate("Each indicator once only: I-1, I-2.") == \
            template.format(codes="I-1, I-2")
        title = "Her decision on cooperating, before the permitted stay ends"
        reminder = translate(f"{title}: 30 days left (case SI-7K3Q-9F2M)")
        assert reminder == sl(slovene, "{title}: {days} days left (case {code})").format(
            title=sl(slovene, title), days="30", code="SI-7K3Q-9F2M")
        assert translate("A task renamed in the modeler today") == \
            "A task renamed in the modeler today"
        documentation = "  Explain to her, in a language\n        she understands, "
        assert translate(documentation) == documentation  # not a whole text of the catalogue
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert translate("Each indicator once only: I-1.") == "Each indicator once only: I-1."


def test_a_slovene_officer_reads_her_task_and_its_form_in_slovene(app, engine, signed_in,
                                                                    slovene):
    engine.runtime.start("reflection_period", "SI-7K3Q-9F2M", actor="coord")
    engine.credentials.set_language("police", "sl")
    police = signed_in("police")
    worklist = police.get("/worklist").get_data(as_text=True)
    assert sl(slovene, "Decide on the permitted stay") in worklist
    assert "Decide on the permitted stay" not in worklist

    (task,) = engine.runtime.instance(1).open_tasks
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert f"<h1>{sl(slovene, task.title)}</h1>" in page
    assert sl(slovene, task.documentation).split("\n\n")[0] in page.replace("&#39;", "'")
    field = engine.tasks.form(task.form_key)().fields["stay_decision_date"].metadata
    assert sl(slovene, field["label"]) in page and field["label"] not in page
    assert sl(slovene, "Granted on her request") in page
    assert "Granted on her request" not in page
    assert 'value="granted"' in page  # the keys she sends stay as they are


def test_a_refused_date_is_explained_next_to_it_in_slovene(app, engine, signed_in, slovene):
    instance = engine.runtime.start("reflection_period", "SI-AAAA-BBBB", actor="coord")
    engine.credentials.set_language("police", "sl")
    police = signed_in("police")
    (task,) = engine.runtime.instance(instance.id).open_tasks
    page = police.get(f"/tasks/{task.id}").get_data(as_text=True)
    response = police.post(f"/tasks/{task.id}", data={
        "csrf_token": csrf_of(page), "stay_decision": "granted",
        "stay_decision_date": "2031-01-01", "victim_category": "trafficking",
        "informed_of_permit": "on", "interpreter_provided": "on"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    expected = sl(slovene, "The date cannot be in the future.")
    assert f'id="f-stay_decision_date-error">{expected}' in html
    assert engine.runtime.instance(instance.id).open_tasks[0].id == task.id


def test_the_form_schema_of_the_api_speaks_the_readers_language(app, engine, bearer,
                                                                  slovene):
    engine.runtime.start("reflection_period", "SI-CCCC-DDDD", actor="coord")
    (task,) = engine.runtime.instance(1).open_tasks
    english = app.test_client().get(f"/api/tasks/{task.id}", headers=bearer("police"))
    engine.credentials.set_language("police", "sl")
    slovenian = app.test_client().get(f"/api/tasks/{task.id}", headers=bearer("police"))
    before = english.get_json()["form"]["properties"]["stay_decision"]
    after = slovenian.get_json()["form"]["properties"]["stay_decision"]
    assert after["title"] == sl(slovene, before["title"])
    assert after["description"] == sl(slovene, before["description"])
    assert after["enum"] == before["enum"]  # what a client sends does not change
    assert after["x-choice-labels"]["granted"] == sl(slovene, before["x-choice-labels"]
                                                     ["granted"])
    assert slovenian.get_json()["title"] == english.get_json()["title"]  # the API: English


def test_her_inbox_shows_a_notice_of_the_engine_in_slovene(app, engine, signed_in, slovene):
    from tests.scenarios.case import identified

    case = identified(engine, "SI-DDDD-EEEE", stay_granted=True)
    case.at("2026-04-29")  # 30 days before the latest safe day: the first reminder
    engine.credentials.set_language("coordinator", "sl")
    inbox = signed_in("coordinator").get("/inbox").get_data(as_text=True)
    title = sl(slovene, "Her decision on cooperating, before the permitted stay ends")
    assert sl(slovene, "{title}: {days} days left (case {code})").format(
        title=title, days=30, code="SI-DDDD-EEEE") in inbox
    assert "days left" not in inbox
