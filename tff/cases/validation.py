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
