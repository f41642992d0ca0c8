"""The programme's words for the codes the product stores: rule sets, results, evidence sources
and audit actions. Codes stay in the data, the CSV downloads and the command line (they are the
contract); the pages people read show these words, so one table here keeps every page alike."""

import re

from flask import g, has_app_context
from sqlalchemy import select

from tff.extensions import db

#: the rule sets that are not outcome plans
RULE_SETS = {"phase1": "Phase one rules"}

#: evidence sources whose words are not simply the code with spaces
SOURCES = {
    "asb_unit": "ASB unit",
    "social_care": "Social care",
    "dwp": "DWP",
    "nhs": "NHS",
    "manual": "Entered by hand",
}

#: every action the product records in the audit trail, in words
ACTIONS = {
    "attachment_fees.receive": "Attachment fees received",
    "attendance.import_replace": "School attendance replaced by an import",
    "caf.action.add": "Action added to the plan",
    "caf.action.done": "Plan action marked done",
    "caf.action.update": "Plan action changed",
    "caf.assessment.record": "Assessment recorded",
    "caf.consent.give": "Consent given",
    "caf.consent.withdraw": "Consent withdrawn",
    "caf.meeting.record": "Team around the family meeting recorded",
    "caf.priorities.set": "Plan priorities set",
    "caf.review.record": "Plan review recorded",
    "caf.screening": "Screening recorded",
    "claim_batch.assemble": "Claim assembled",
    "claim_batch.evidence_pack": "Claim evidence pack made",
    "claim_batch.restart_audit": "Claim audit restarted",
    "claim_batch.sample": "Claim sample drawn",
    "claim_batch.submit": "Claim submitted",
    "claim_line.audit": "Claim line audited",
    "claim_line.exclude": "Claim line left out",
    "claim_line.include": "Claim line put back in",
    "claim_payment.clawback": "Payment clawed back",
    "claim_payment.record": "Payment recorded",
    "claim_payment.reverse": "Payment reversed",
    "claim_window.create": "Claim window opened",
    "event.import_update": "Evidence event updated by an import",
    "event.manual_correct": "Evidence event corrected by hand",
    "event.manual_create": "Evidence event entered by hand",
    "evidence.date_range": "Evidence date range set",
    "evidence.kind_add": "Evidence kind added",
    "evidence.out_of_work_benefits": "Out-of-work benefits setting changed",
    "evidence.term_calendar": "Term calendar changed",
    "evidence.unmatched_attach": "Unmatched evidence matched to a family",
    "evidence.unmatched_dismiss": "Unmatched evidence dismissed",
    "family.anonymise": "Family anonymised",
    "family.assign_lead_worker": "Lead worker assigned",
    "family.attach": "Family attached",
    "family.break_glass": "Family record opened in an emergency",
    "family.close": "Case closed",
    "family.criterion.confirm": "Criterion confirmed",
    "family.criterion.record": "Criterion recorded",
    "family.criterion.reject": "Criterion rejected",
    "family.criterion.withdraw": "Criterion withdrawn",
    "family.identify": "Family identified",
    "family.import_attach_unconfirmed": "Family attached by an import, unconfirmed",
    "family.import_create": "Family added by an import",
    "family.import_update": "Family updated by an import",
    "family.level": "Family level changed",
    "family.reopen": "Case reopened",
    "family.taf.add": "Added to the team around the family",
    "family.taf.leave": "Left the team around the family",
    "family.update": "Family details changed",
    "fee_basis.set": "Fee basis set",
    "funding_commitment.set": "Funding commitment set",
    "identification.absence": "Absence threshold set",
    "identification.local_filters": "Local identification filters set",
    "member.add": "Family member added",
    "member.import_create": "Family member added by an import",
    "member.import_update": "Family member updated by an import",
    "member.update": "Family member changed",
    "note.add": "Case note added",
    "outcome_plan.adopt": "Outcome plan adopted",
    "outcome_plan.store": "Outcome plan stored",
    "privacy.retention_period": "Retention period set",
    "programme_end.set": "Programme end set",
    "provider.add": "Provider added",
    "provider.update": "Provider changed",
    "referral.accept": "Referral accepted",
    "referral.close": "Referral closed",
    "referral.decline": "Referral declined",
    "referral.request": "Referral made",
    "referrals.new": "Referral made",
    "sign_off.approve": "Sign-off approved",
    "sign_off.propose": "Sign-off asked for",
    "sign_off.return": "Sign-off returned",
    "sign_off.withdraw": "Sign-off withdrawn",
    "spell.import_update": "Evidence spell updated by an import",
    "spell.manual_correct": "Evidence spell corrected by hand",
    "spell.manual_create": "Evidence spell entered by hand",
    "spending_line.add": "Spending line added",
    "spending_line.change": "Spending line changed",
    "spending_line.remove": "Spending line removed",
    "spot_check.finding": "Spot check finding recorded",
    "spot_check.record": "Spot check recorded",
    "subject_access.export": "Subject access export made",
    "team.save": "Team saved",
    "user.create": "User added",
    "user.sign_in": "Signed in",
    "user.sign_in_failed": "Sign-in failed",
    "user.sign_out": "Signed out",
    "user.update": "User changed",
    "verified_outcome.approve": "Verified outcome approved",
    "verified_outcome.record": "Verified outcome recorded",
    "verified_outcome.reject": "Verified outcome rejected",
}


def _sentence(code: str) -> str:
    """A code nobody gave words yet, readable: separators to spaces, first letter capital."""
    text = " ".join(code.replace(".", " ").replace("_", " ").split())
    return text[:1].upper() + text[1:]


def _plan_titles() -> dict[str, str]:
    """Plan rule-set names ("name vN") to "title (version N)", read once a request."""
    from tff.outcomes.plan_versions.models import OutcomePlanVersion

    cache = g.get("_plan_titles") if has_app_context() else None
    if cache is None:
        rows = db.session.execute(
            select(OutcomePlanVersion.name, OutcomePlanVersion.version, OutcomePlanVersion.title)
        ).all()
        cache = {f"{name} v{version}": f"{title} (version {version})" for name, version, title in rows}
        if has_app_context():
            g._plan_titles = cache
    return cache


def rule_set_words(code: str | None) -> str:
    """The rule set a result was decided by, as people name it."""
    if not code:
        return ""
    if code in RULE_SETS:
        return RULE_SETS[code]
    return _plan_titles().get(code, code)


def outcome_words(code: str | None) -> str:
    """A result's title; an unknown code reads as a sentence rather than as a code."""
    from tff.outcomes.views import TITLES

    if not code:
        return ""
    return TITLES.get(code) or _sentence(code)


def source_words(code: str | None) -> str:
    """Where a piece of evidence came from, in words."""
    if not code:
        return ""
    return SOURCES.get(code) or _sentence(code)


def action_words(code: str | None) -> str:
    """What an audit entry records, in words."""
    if not code:
        return ""
    return ACTIONS.get(code) or _sentence(code)


def reason_words(reason: str | None) -> str:
    """A reason as the rules engine wrote it, with its result and rule-set codes in words for the
    page. The engine's text itself, kept with the decision and printed by the command line and
    the CSV downloads, does not change."""
    from tff.outcomes.views import TITLES

    if not reason:
        return reason or ""
    words = {**TITLES, **RULE_SETS}
    pattern = re.compile(r"\b(" + "|".join(re.escape(code) for code in words) + r")\b")
    return pattern.sub(lambda m: words[m.group(1)], reason)


FILTERS = {
    "reason_words": reason_words,
    "rule_set_words": rule_set_words,
    "outcome_words": outcome_words,
    "source_words": source_words,
    "action_words": action_words,
}
