"""A password is refused when it is easy to guess or holds her name, and nothing changes."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cli import main
from engine.errors import BadRequest
from engine.identity.credentials import generate_password
from engine.identity.password_policy import personal_words, weakness
from engine.identity.users import USER_ROLES
from engine.store.models import UserAccount
from tests.accounts import PASSWORD, username_of

GOOD = "correct horse battery"


@pytest.fixture
def ana(engine):
    engine.users.add("ana.novak", ["police"], display_name="Ana Novak")
    engine.credentials.set_password("ana.novak", GOOD, by="admin")
    return "ana.novak"


def account(engine, username):
    """What a refused password must leave as it was: her hash and her sessions."""
    with engine.db.reading() as session:
        user = session.scalar(select(UserAccount).where(UserAccount.username == username))
        return user.password_hash, user.session_generation


@pytest.mark.parametrize(("password", "reason"), [
    ("aaaaaaaaaaaa", 'too easy to guess (repeats like "aaa" are easy to guess)'),
    ("password1234", "too easy to guess (this is a very common password)"),
    ("qwertyuiopas", "too easy to guess"),
    ("123456789012", "too easy to guess"),
    ("Novak-sunny-garden-2026", "contains the user's name ('novak')"),
    ("my ana.novak password", "contains the user's name ('ana.novak')"),
    ("short", "at least 12 characters"),
])
def test_a_weak_password_is_refused_with_what_to_do_and_nothing_changes(engine, ana,
                                                                        password, reason):
    before = account(engine, ana)
    with pytest.raises(BadRequest) as refused:
        engine.credentials.set_password(ana, password, by="admin")
    assert reason in refused.value.message
    assert "four or five unrelated words" in refused.value.message
    assert account(engine, ana) == before
    assert engine.credentials.sign_in(ana, GOOD, "10.0.0.1").username == ana


def test_a_strong_password_is_taken_and_signs_her_in(engine, ana):
    engine.credentials.set_password(ana, "violet tram under the castle", by="admin")
    assert engine.credentials.sign_in(ana, "violet tram under the castle",
                                      "10.0.0.1").username == ana


def test_the_command_refuses_a_weak_password_before_adding_her(database_url, monkeypatch,
                                                               engine):
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(main, ["users", "add", "mira", "--role", "police",
                                       "--password"], input="aaaaaaaaaaaa\naaaaaaaaaaaa\n")
    assert result.exit_code == 1
    assert "too easy to guess" in result.stderr
    assert [u.username for u in engine.users.users()] == []


def test_generated_demo_and_test_passwords_pass_the_policy():
    for role in USER_ROLES:
        demo, shown = f"demo-{role.replace('_', '-')}", f"Demo {role.replace('_', ' ')}"
        assert weakness(generate_password(demo, shown), personal_words(demo, shown)) is None
        assert weakness(PASSWORD, personal_words(username_of(role))) is None
