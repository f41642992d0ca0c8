"""What of a family each role may read: the one table every family page and download asks.

`tff.cases.access.visible_families` decides *which* families a user may see; this module
decides *what* of a family their work needs. A family's data falls into a handful of sections,
and every address that shows or changes a family's data belongs to exactly one of them
(`SECTION_OF`); `tff.cases.access.get_family_or_404`, the one door to a family, asks
`may_read(role, section)` for the address being answered, so no view can forget to.

The case work (the Family CAF, its screenings and assessments, the action plan, meetings,
case notes, referrals, the Team Around the Family) is for the lead workers and coordinators
who do it. Finance officers and internal auditors need the family's reference, attachment,
criteria, results and claims with their frozen evidence; managers its summary, results and
the approvals that wait on them. Anyone else may still open a section in an emergency by
breaking the glass: giving a reason, which is logged, marked and listed for administrators.
"""

from dataclasses import dataclass

from tff.auth import roles

#: the family's record: reference, programme, status, dates, members, lead worker, criteria
SUMMARY = "summary"
#: the Family CAF, screenings, assessments, action plan, meetings and reviews, case notes,
#: referrals and steps between social care and early help, the Team Around the Family,
#: the timeline
CASE_WORK = "case_work"
#: the partners' records about the members: attendance, incidents, spells
EVIDENCE = "evidence"
#: the results the rules decide, and the claims with their frozen evidence
RESULTS = "results"
#: practitioner-verified outcomes and their approval
VERIFIED = "verified"

#: the sections, as the administrators' page names them
SECTIONS = {
    SUMMARY: "The family’s record: reference, programme, status, dates, members, criteria",
    CASE_WORK: "Case work: the Family CAF and its screenings, action plan, meetings, notes, referrals",
    EVIDENCE: "Partners’ records: attendance, incidents, benefits and plans",
    RESULTS: "Results, and claims with their frozen evidence",
    VERIFIED: "Practitioner-verified outcomes and their approval",
}

#: role -> the sections its work needs
READS: dict[str, frozenset[str]] = {
    roles.COORDINATOR: frozenset({SUMMARY, CASE_WORK, EVIDENCE, RESULTS, VERIFIED}),
    roles.LEAD_WORKER: frozenset({SUMMARY, CASE_WORK, EVIDENCE, RESULTS, VERIFIED}),
    roles.FINANCE: frozenset({SUMMARY, RESULTS}),
    roles.AUDITOR: frozenset({SUMMARY, RESULTS}),
    roles.MANAGER: frozenset({SUMMARY, RESULTS, VERIFIED}),
    roles.ADMIN: frozenset({SUMMARY}),
}

#: every address of a family's data (its endpoint) -> its section. An address not named here
#: is refused to everyone (a test walks the URL map to keep this whole).
SECTION_OF: dict[str, str] = {
    # the family's record
    "cases.show": SUMMARY,
    "cases.edit": SUMMARY,
    "cases.attach": SUMMARY,
    "cases.close": SUMMARY,
    "cases.reopen": SUMMARY,
    "cases.lead_worker": SUMMARY,
    "cases.member": SUMMARY,
    "family_criteria.confirm": SUMMARY,
    "family_criteria.record": SUMMARY,
    "family_criteria.reject": SUMMARY,
    "family_criteria.withdraw": SUMMARY,
    # a closure or step-down proposed, and the manager's sign-off
    "signoff.approve": SUMMARY,
    "signoff.return_it": SUMMARY,
    "signoff.withdraw": SUMMARY,
    # case work
    "caf.index": CASE_WORK,
    "caf.consent": CASE_WORK,
    "caf.withdraw_consent": CASE_WORK,
    "caf.priorities": CASE_WORK,
    "caf.assessments": CASE_WORK,
    "caf.new_assessment": CASE_WORK,
    "caf.screening": CASE_WORK,
    "caf.new_screening": CASE_WORK,
    "caf.plan": CASE_WORK,
    "caf.action": CASE_WORK,
    "caf.new_action": CASE_WORK,
    "caf.action_done": CASE_WORK,
    "caf.meetings": CASE_WORK,
    "caf.new_meeting": CASE_WORK,
    "caf.new_review": CASE_WORK,
    "progress.notes": CASE_WORK,
    "progress.note": CASE_WORK,
    "progress.new_note": CASE_WORK,
    "progress.timeline": CASE_WORK,
    "referrals.index": CASE_WORK,
    "referrals.show": CASE_WORK,
    "referrals.new": CASE_WORK,
    "referrals.transition": CASE_WORK,
    "referrals.level": CASE_WORK,
    "cases.team": CASE_WORK,
    "cases.team_leave": CASE_WORK,
    # the partners' records
    "family_evidence.index": EVIDENCE,
    "family_evidence.new_event": EVIDENCE,
    "family_evidence.edit_event": EVIDENCE,
    "family_evidence.new_spell": EVIDENCE,
    "family_evidence.edit_spell": EVIDENCE,
    # results and claims
    "family_results.index": RESULTS,
    "claim_packs.family_pack": RESULTS,
    # verified outcomes
    "verified_outcomes.index": VERIFIED,
    "verified_outcomes.new": VERIFIED,
    "verified_outcomes.decide": VERIFIED,
}


def may_read(role: str | None, section: str | None) -> bool:
    """Whether the role's work needs the section (None: an address of no family section)."""
    return section is not None and section in READS.get(role or "", frozenset())


def section_of(endpoint: str | None) -> str | None:
    return SECTION_OF.get(endpoint or "")


@dataclass(frozen=True)
class Row:
    """A row of the administrators' page: a section and whether each role reads it."""

    section: str
    words: str
    reads: tuple[bool, ...]


def table() -> tuple[list[str], list[Row]]:
    """(role names, rows): the whole table, as the administrators' page shows it."""
    order = list(roles.ROLES)
    return [roles.ROLES[r] for r in order], [
        Row(section, words, tuple(section in READS[r] for r in order)) for section, words in SECTIONS.items()
    ]
