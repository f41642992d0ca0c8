"""A decision: what the rules concluded about one result of one family as of a date, and why.
Claims record decisions with their reasons, the family page shows them, and the command line
prints them; the reasons carry the figures so that a claim can be checked by hand."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Decision:
    """One result of one family under one rule set, as of a date."""

    family_ref: str
    #: phase1, or an outcome plan's name and version
    rule_set: str
    #: crime_asb_education, continuous_employment, progress_to_work, ...
    outcome: str
    met: bool
    #: met, and may be claimed now given what the family has already claimed
    claimable: bool
    #: whole pounds that would be claimed now; None when not claimable
    amount: int | None
    #: human-readable reasons with the figures behind them
    reasons: list[str] = field(default_factory=list)
    #: in plain words, what is still needed for the result (empty when met or out of reach)
    missing: list[str] = field(default_factory=list)
    #: days until the result could be met if nothing else changes (0: only evidence is
    #: missing), for the near-misses worklist to sort by; None when not near
    near_miss: int | None = None

    def as_json(self) -> dict:
        return as_json(self)


def as_json(decision) -> dict:
    """The object `flask outcomes --json` prints for a decision, made now or kept (`cli.md`)."""
    return {
        "family_ref": decision.family_ref,
        "rule_set": decision.rule_set,
        "outcome": decision.outcome,
        "met": decision.met,
        "claimable": decision.claimable,
        "amount": decision.amount,
        "reasons": list(decision.reasons),
    }
