"""The outcomes rules engine: from a family's facts (members, school attendance, events, spells),
its claim history, a rule set and an as-of date to one decision per result, with the reasons
and figures behind it. The engine is pure (plain values in, plain values out, no database, web
or job code) so that every part of the product that needs a decision (the cohort evaluation, a
claim batch, the family page, the command line) gets the same answer, and so that the rules can
be tested by hand-built facts; loaders elsewhere fetch the facts of many families at once."""
