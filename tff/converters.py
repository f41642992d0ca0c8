"""The converter every `<name>` part of a page's address goes through.

References are checked against a safe alphabet where they arrive (`tff.cases.validation`),
but families, members and windows stored before that check may have references a browser
cannot carry in one path segment: `WEB/SLASH` would be read as two segments, and a browser
resolves `..` (and `.`, even percent-encoded) before sending the request. So a value outside
the safe alphabet is written in addresses as `~` and its UTF-8 in unpadded base64url, which a
browser leaves alone, and read back from there; a value in the alphabet is written as it is.
`~` is outside the alphabet, so no reference in it is ever mistaken for an encoded one.
"""

import base64
import binascii

from werkzeug.routing import UnicodeConverter, ValidationError

from tff.cases.validation import REFERENCE

#: the mark of an encoded value
ENCODED = "~"


def encode(value: str) -> str:
    return ENCODED + base64.urlsafe_b64encode(value.encode("utf-8")).decode("ascii").rstrip("=")


def decode(value: str) -> str:
    """The value an encoded path part stands for; ValueError when it stands for none."""
    body = value[len(ENCODED) :]
    try:
        decoded = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise ValueError(str(exc)) from None
    if not decoded or REFERENCE.fullmatch(decoded) or "\x00" in decoded:
        # Only odd values are ever encoded; a NUL is in no reference (PostgreSQL holds none).
        raise ValueError("not an encoded value")
    return decoded


class PathPart(UnicodeConverter):
    """`<name>`: one path segment, with values outside the safe alphabet encoded."""

    def to_python(self, value: str) -> str:
        if value.startswith(ENCODED):
            try:
                return decode(value)
            except ValueError:
                raise ValidationError() from None
        return value

    def to_url(self, value) -> str:
        text = str(value)
        if REFERENCE.fullmatch(text):
            return super().to_url(text)
        return encode(text)


def init_app(app) -> None:
    """Make `PathPart` the converter of `<name>` (and `<string:name>`): before any rule is added."""
    app.url_map.converters["default"] = PathPart
    app.url_map.converters["string"] = PathPart
