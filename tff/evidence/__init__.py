"""Evidence about members: events, spells and school attendance, imported from other systems,
and the rows no member could be matched to, held for a person to resolve."""

# The evidence import formats are entries of `tff.imports.kinds.FORMATS` and build on its
# `base`: loading that package first, whichever module is asked for first, keeps the two from
# meeting half-loaded.
import tff.imports.kinds  # noqa: E402, F401
