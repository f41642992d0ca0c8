"""The import formats, by the KIND that names them (`flask import KIND FILE`).

A format plugs in as an entry here: a `Format` subclass (see `base.py`) with its columns and
its parse, lookup, resolve, unique_keys and apply steps. The evidence formats (`events`, ...)
share `tff.evidence.importing.EvidenceFormat`, with the person matching that fills their
`unmatched` count.
"""

from tff.imports.kinds.attendance import Attendance
from tff.imports.kinds.base import Format
from tff.imports.kinds.events import Events
from tff.imports.kinds.families import Families
from tff.imports.kinds.members import Members
from tff.imports.kinds.spells import Spells

FORMATS: dict[str, type[Format]] = {fmt.name: fmt for fmt in (Families, Members, Attendance, Events, Spells)}
