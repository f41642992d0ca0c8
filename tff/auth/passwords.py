"""Password hashing (argon2) and the minimum strength a password must have."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 12
# The words and runs at the top of every breach list. A password that is one of them, give or
# take digits, symbols and capitals ("Password2015!", "qwerty123456"), is guessed at once.
_COMMON_WORDS = frozenset(
    """
    password passwrd passwort motdepasse letmein welcome iloveyou trustno admin administrator
    qwerty qwertyuiop qwertyuiopas asdfgh asdfghjkl zxcvbnm abc abcdef abcdefgh abcdefghijkl
    monkey dragon football baseball soccer master shadow sunshine princess superman batman
    michael charlie jordan jennifer hunter ranger thomas secret changeme default guest login
    starwars whatever freedom summer winter spring autumn london liverpool chelsea arsenal
    familiesforchange troubledfamilies council
    """.split()  # noqa: SIM905 - a word list reads best as words
)
# Whole passwords long enough to pass the length rule that still top the breach lists.
_COMMON = frozenset(
    """
    123456789012 1234567890123 12345678901234 111111111111 000000000000 123123123123
    1q2w3e4r5t6y 1qaz2wsx3edc qazwsxedcrfv zaq12wsxcde3 qwerty123456 password1234
    passwordpassword letmeinletmein welcome12345 changeme1234 iloveyou1234
    """.split()  # noqa: SIM905
)

# A fixed hash to verify against when the account does not exist, so a wrong email
# takes as long as a wrong password and the response time tells nothing.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def configure(parameters: dict | None) -> None:
    """Set the hashing cost (`ARGON2_PARAMETERS`); the library's defaults when none."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(**(parameters or {}))
    _DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """What is wrong with a new password, in words for the person choosing it."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Password must be at least {MIN_LENGTH} characters long")
    lowered, letters = password.lower(), _letters(password)
    if lowered in _COMMON or letters in _COMMON_WORDS or len(set(password)) < 4 or _repeats(lowered):
        problems.append("Password is too easy to guess, like a common password: choose a longer phrase of words")
    local = email.split("@")[0].lower()
    if local and (len(local) >= 4 and local in lowered or bool(letters) and letters == _letters(local)):
        problems.append("Password must not contain your email address")
    # The name, or parts of it, with little else but digits and symbols ("Robin1984!", "robinrobin12").
    rest = letters
    for part in sorted((word for word in map(_letters, name.split()) if len(word) >= 3), key=len, reverse=True):
        rest = rest.replace(part, "")
    if rest != letters and len(rest) < 4:
        problems.append("Password must not contain your name")
    return problems


def _repeats(text: str) -> bool:
    """A short run said again and again: "abcabcabcabc", "xyxyxyxyxyxy"."""
    return any(len(text) % size == 0 and text == text[:size] * (len(text) // size) for size in range(1, 5))
