"""Serbian Cyrillic is made from the Serbian Latin catalogue, letter for letter, with
placeholders, markup, codes and ISO values kept; fuzzy stays fuzzy, missing stays missing."""

from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from web.common.cyrillic import to_cyrillic, write_cyrillic


def test_letters_and_digraphs_become_cyrillic():
    assert to_cyrillic("Ljubljana i Njegoš, džak") == "Љубљана и Његош, џак"
    assert to_cyrillic("LJUBAV NJIVA DŽEP") == "ЉУБАВ ЊИВА ЏЕП"
    assert to_cyrillic("Čačak, Ćuprija, Đakovica, Žabalj") == "Чачак, Ћуприја, Ђаковица, Жабаљ"


def test_what_is_not_serbian_text_is_kept():
    assert to_cyrillic("Rok %(day)s: {name} <b>važno</b> &amp; više") == \
        "Рок %(day)s: {name} <b>важно</b> &amp; више"
    assert to_cyrillic("Uslov permit_decision == 'granted', obrazac reflection.grant") == \
        "Услов permit_decision == 'granted', образац reflection.grant"
    assert to_cyrillic("Trajanje P3D ili R/P1D, od 2026-03-01") == \
        "Трајање P3D или R/P1D, од 2026-03-01"
    assert to_cyrillic("Vidi https://example.org/put") == "Види https://example.org/put"


def test_a_latin_catalogue_is_written_in_cyrillic(tmp_path):
    latin = Catalog(locale="sr_Latn", domain="messages")
    latin.add("Worklist", "Lista zadataka")
    latin.add("Due on %(day)s", "Rok: %(day)s", flags=["fuzzy", "python-format"])
    latin.add("Sign out", "")
    latin.add(("%(count)s task", "%(count)s tasks"),
              ("%(count)s zadatak", "%(count)s zadatka", "%(count)s zadataka"))
    source, target = tmp_path / "sr_Latn", tmp_path / "sr_Cyrl"
    source.mkdir()
    with (source / "messages.po").open("wb") as stream:
        write_po(stream, latin)
    [written] = write_cyrillic(source, target)
    with written.open("rb") as stream:
        cyrillic = read_po(stream)
    assert cyrillic["Worklist"].string == "Листа задатака"
    assert cyrillic["Due on %(day)s"].string == "Рок: %(day)s"
    assert cyrillic["Due on %(day)s"].fuzzy
    assert cyrillic["Sign out"].string == ""
    assert cyrillic["%(count)s task"].string == ("%(count)s задатак", "%(count)s задатка",
                                                 "%(count)s задатака")


def test_names_written_in_latin_letters_stay_latin():
    assert to_cyrillic("Dijagram BPMN u Varna pot, izvoz CSV po ZTuj-2 i CETS") == \
        "Дијаграм BPMN у Varna pot, извоз CSV по ZTuj-2 и CETS"


def _write(folder, catalog: Catalog) -> None:
    folder.mkdir(exist_ok=True)
    with (folder / "messages.po").open("wb") as stream:
        write_po(stream, catalog)


def _read(folder) -> Catalog:
    with (folder / "messages.po").open("rb") as stream:
        return read_po(stream)


def test_a_reviewed_message_is_kept_until_its_latin_changes(tmp_path):
    """Konjunkcija spells n-j as two letters: the reviewer corrects it once, and it stays
    corrected; when the Latin changes, the new Cyrillic comes back fuzzy for review."""
    source, target = tmp_path / "sr_Latn", tmp_path / "sr_Cyrl"
    latin = Catalog(locale="sr_Latn", domain="messages")
    latin.add("Conjunction", "Konjunkcija")
    latin.add("Injection", "Injekcija")
    _write(source, latin)
    write_cyrillic(source, target)
    written = _read(target)
    assert written["Conjunction"].string == "Коњункција"  # the letter-for-letter mistake
    written["Conjunction"].string = "Конјункција"
    written["Conjunction"].user_comments = ["reviewed"]
    _write(target, written)

    write_cyrillic(source, target)  # a later `make messages`: the review stays
    again = _read(target)
    assert again["Conjunction"].string == "Конјункција" and not again["Conjunction"].fuzzy
    assert again["Injection"].string == "Ињекција"

    latin["Conjunction"].string = "Konjunkcije"
    _write(source, latin)
    write_cyrillic(source, target)
    changed = _read(target)["Conjunction"]
    assert changed.string == "Коњункције" and changed.fuzzy
