"""What a password must be: long, hard to guess, and free of her own name.

Length alone let ``aaaaaaaaaaaa`` through. zxcvbn estimates the guesses a password
takes from the patterns people use (common passwords, words, names, dates, keyboard
rows, repeats) and scores it 0 to 4; from 3 (about 10^8 guesses) it holds against a
guesser slowed by the sign-in brake, and a stolen argon2 hash stays costly to crack.
Her user name and name are the first words a guesser tries: zxcvbn is told them, and a
password containing one is refused outright.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from zxcvbn import zxcvbn

from engine.errors import BadRequest

MIN_LENGTH = 12
MIN_SCORE = 3
SCORED_LENGTH = 100
"""zxcvbn's work grows with the length; past this many characters length is enough."""
MIN_NAME_PART = 3
ADVICE = "choose a longer one, for example four or five unrelated words"


def personal_words(*names: str | None) -> list[str]:
    """Her user name and name, whole and in parts (``ana.novak``: ana, novak), lower case."""
    words: list[str] = []
    for name in filter(None, names):
        name = name.strip().lower()
        words += [name, *re.split(r"[\W_]+", name)]
    return [w for w in dict.fromkeys(words) if len(w) >= MIN_NAME_PART]


def weakness(password: str, personal: Iterable[str]) -> str | None:
    """Why the password is refused, in words that say what to do; None when it is good."""
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters; {ADVICE}"
    words = list(personal)
    found = next((w for w in words if w in password.lower()), None)
    if found is not None:
        return f"the password contains the user's name ({found!r}); {ADVICE} without it"
    result = zxcvbn(password[:SCORED_LENGTH], user_inputs=words)
    if result["score"] < MIN_SCORE:
        warning = (result["feedback"]["warning"] or "").strip().rstrip(".")
        why = f" ({warning[:1].lower()}{warning[1:]})" if warning else ""
        return f"the password is too easy to guess{why}; {ADVICE}"
    return None


def check_password(password: str, personal: Iterable[str]) -> None:
    """BadRequest with the reason, before anything is written, when it is not good."""
    reason = weakness(password, personal)
    if reason is not None:
        raise BadRequest(reason)
