"""Password hashing (argon2) and the minimum strength a password must have."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 12
# The few that pass the length rule and still top every breach list.
_COMMON = {
    "password1234",
    "passwordpassword",
    "123456789012",
    "qwertyuiopas",
    "letmeinletmein",
    "welcome12345",
    "changeme1234",
}

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


def password_problems(password: str, email: str = "") -> list[str]:
    """What is wrong with a new password, in words for the person choosing it."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Password must be at least {MIN_LENGTH} characters long")
    if password.lower() in _COMMON or len(set(password)) < 4:
        problems.append("Password is too easy to guess")
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in password.lower():
        problems.append("Password must not contain your email address")
    return problems
