"""Practitioner-verified outcomes: a named outcome of a family (for example "engaged with mental
health service"), recorded by the family's lead worker or a coordinator with the evidence for it,
and approved or rejected by a manager other than the one who recorded it. Approved outcomes are a
measure of an outcome plan: `operations.approved_codes` gives the engine's loader the codes each
family has achieved by a date."""
