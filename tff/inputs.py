"""What the service takes from a request before any view reads it: values the database could
not hold are refused here, with a page saying what is wrong, rather than failing deep inside a
query.

- No text may hold a NUL (PostgreSQL refuses it in text) or half of a UTF-16 surrogate pair
  (no database encoding holds one): such a request gets a 400 page naming where it was.
  (Werkzeug reads a broken UTF-8 sequence in an address or form as U+FFFD, which is stored.)
- A number in an address (`<int:...>`) is a record id: it fits the database's 32-bit integer
  columns, or the address matches nothing (404).
- A number in a query string is read through `query_int`, which takes what cannot be one as
  not given; a select field of record ids coerces with `record_id`, which makes it an invalid
  choice.
"""

import re

from flask import abort, request
from werkzeug.routing import IntegerConverter

#: the largest value of the database's integer columns (32-bit signed on PostgreSQL)
MAX_INT = 2**31 - 1
#: the most money one form may record, in whole pounds: more than any council's claim or
#: receipt, well inside an integer column
MAX_POUNDS = 1_000_000_000
#: characters no text column can hold
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class RecordIdConverter(IntegerConverter):
    """`<int:...>`: a whole number from 0 to MAX_INT; anything longer or larger is no address."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_INT if max is None else max, signed=signed)


def as_int(value: str | None, default: int | None = None, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """`value` as a whole number from `minimum` to `maximum`; `default` when it is missing, not
    a whole number, or out of that range (an edited or stale address)."""
    value = (value or "").strip()
    if not value or len(value) > 12 or not re.fullmatch(r"-?[0-9]+", value):
        return default
    number = int(value)
    return number if minimum <= number <= maximum else default


def query_int(name: str, default: int | None = None, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """The query parameter `name`, read as `as_int` reads it."""
    return as_int(request.args.get(name), default, minimum, maximum)


def record_id(value) -> int:
    """A select field's `coerce` for choices that are record ids: a chosen value that could not
    be one is an invalid choice (said on the field), never a failing query."""
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,10}", text):
        raise ValueError("not a record id")
    number = int(text)
    if number > MAX_INT:
        raise ValueError("not a record id")
    return number


def _where_unstorable() -> str | None:
    if UNSTORABLE.search(request.path):
        return "the web address"
    for source, values in (("the address", request.args), ("the form", request.form)):
        for key, value in values.items(multi=True):
            if UNSTORABLE.search(key) or UNSTORABLE.search(value):
                return f"“{UNSTORABLE.sub('', key)[:40]}” in {source}"
    for key, upload in request.files.items(multi=True):
        if UNSTORABLE.search(key) or UNSTORABLE.search(upload.filename or ""):
            return "the name of the file sent"
    return None


def refuse_unstorable():
    where = _where_unstorable()
    if where:
        abort(
            400,
            f"Something sent holds a character that cannot be stored (a NUL character or a broken "
            f"character code), in {where}. Remove it and try again.",
        )


def init_app(app) -> None:
    """Before the blueprints are registered, so that every `<int:...>` rule uses the converter."""
    app.url_map.converters["int"] = RecordIdConverter
    app.before_request(refuse_unstorable)
