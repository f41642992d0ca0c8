"""The import formats, by the KIND that names them (`flask import KIND FILE`).

A format plugs in as an entry here: a `Format` subclass (see `base.py`) with its columns and
its parse, lookup, resolve, unique_keys and apply steps. `attendance`, `events` and `spells` come
later, with the person matching that fills their `unmatched` count.
"""

from tff.imports.kinds.base import Format
from tff.imports.kinds.families import Families
from tff.imports.kinds.members import Members

FORMATS: dict[str, type[Format]] = {fmt.name: fmt for fmt in (Families, Members)}
