"""Formats of the identifiers a family and its members carry, checked the same way
wherever they arrive (a form, an import)."""

import re

UPN = re.compile(r"^[A-Z]\d{12}$")
# Two letters, six digits, A-D. HMRC's prefix exclusions are not applied: the import
# contract's own example, QQ123456C, must be accepted.
NINO = re.compile(r"^[A-Z]{2}\d{6}[A-D]$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")


def normalise_upn(value: str | None) -> str | None:
    value = (value or "").strip().upper()
    return value or None


def normalise_nino(value: str | None) -> str | None:
    value = "".join((value or "").split()).upper()
    return value or None


def normalise_postcode(value: str | None) -> str | None:
    value = re.sub(r"\s+", "", value or "").upper()
    if not value:
        return None
    return f"{value[:-3]} {value[-3:]}" if len(value) > 3 else value


def upn_problem(upn: str | None) -> str | None:
    if upn and not UPN.match(upn):
        return f"UPN {upn} is not a letter followed by 12 digits"
    return None


def nino_problem(nino: str | None) -> str | None:
    if nino and not NINO.match(nino):
        return f"National Insurance number {nino} is not two letters, six digits and a letter A to D"
    return None


def postcode_problem(postcode: str | None) -> str | None:
    if postcode and not POSTCODE.match(postcode):
        return f"Postcode {postcode} is not a UK postcode"
    return None


#: The characters a reference (a family's, a member's person_ref, a claim window's name) may
#: have: letters, digits, hyphens and underscores, starting with a letter or a digit, as
#: councils' references look (`F000003-01`, `2013-07`). A reference is a part of the pages'
#: addresses and of file names (evidence packs), so `/`, `.`, spaces and control characters
#: are refused: a family called `WEB/SLASH` or `..` could not be opened.
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
#: the longest reference the database holds (`families.reference`, `members.person_ref`,
#: `claim_windows.name` are all 40 characters)
REFERENCE_MAX = 40
REFERENCE_RULE = (
    f"up to {REFERENCE_MAX} letters, digits, hyphens (-) and underscores (_), starting with a letter or a digit"
)


def reference_problem(reference: str | None, label: str = "The reference") -> str | None:
    """What is wrong with a reference, in words for the person who typed or exported it."""
    if not reference:
        return None
    if len(reference) > REFERENCE_MAX:
        return f"{label} is {len(reference):,} characters long; it must be {REFERENCE_RULE}"
    if not REFERENCE.fullmatch(reference):
        return f"{label} {_quoted(reference)} has characters a reference cannot have; it must be {REFERENCE_RULE}"
    return None


def _quoted(value: str, limit: int = 40) -> str:
    shown = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in value[:limit])
    return f'"{shown}…"' if len(value) > limit else f'"{shown}"'
