"""Claim windows from creation to payment: assembling the draft batch (the job), review,
internal audit's sample, submission, exports, and the money ledger (payments, their
reversals, spot-check clawbacks: entries are added, never edited or deleted). Each change is audited in its own
transaction; a submitted batch refuses every change here and in the database."""

import hashlib
import math
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from tff import locks
from tff.audit.models import AuditEntry
from tff.audit.operations import record
from tff.auth import roles
from tff.auth.models import User
from tff.cases.models import Family
from tff.cases.validation import reference_problem
from tff.claims.models import (
    CLAWBACK,
    DRAFT,
    PAYMENT,
    REJECTED,
    REVERSAL,
    SUBMITTED,
    VERIFIED,
    ClaimBatch,
    ClaimLine,
    ClaimWindow,
    Payment,
)
from tff.exports import csv_text
from tff.extensions import db
from tff.inputs import MAX_POUNDS
from tff.jobs.models import QUEUED, RUNNING, Job
from tff.jobs.operations import JobError, start
from tff.outcomes import undecided
from tff.outcomes.evaluation import decide_all, undecided_count, undecided_note, unmeasured_count, unmeasured_note
from tff.outcomes.models import Evaluation, OutcomeDecision, UndecidedFamily
from tff.outcomes.phase1 import financial_year_of
from tff.timeutil import utcnow

JOB_KIND = "claims.assemble"
LINE_COLUMNS = ["window", "family_ref", "outcome", "attachment_year", "amount", "status"]
SUMMARY_COLUMNS = ["window", "outcome", "attachment_year", "families", "amount"]


class ClaimRefused(Exception):
    """The change cannot be made: the message says why, for the person making it."""


# --- windows ----------------------------------------------------------------------------------


def get_window(name: str) -> ClaimWindow:
    window = db.session.scalar(select(ClaimWindow).where(ClaimWindow.name == (name or "").strip()))
    if window is None:
        raise ClaimRefused(f"There is no claim window named {name!r}.")
    return window


def create_window(
    name: str, as_of: date, opens: date | None = None, closes: date | None = None, sample_percent: int = 10, user=None
) -> ClaimWindow:
    name = (name or "").strip()
    problems = []
    if not name:
        problems.append("The window's name must be 1 to 40 characters, like 2013-07")
    elif problem := reference_problem(name, "The window's name"):
        problems.append(f"{problem}, like 2013-07")
    elif db.session.scalar(select(ClaimWindow.id).where(ClaimWindow.name == name)):
        problems.append(f"There is a claim window named {name} already")
    if not 0 <= sample_percent <= 100:
        problems.append("The audit sample must be a share from 0 to 100 percent")
    if opens and closes and closes < opens:
        problems.append("The window must close on or after the day it opens")
    if problems:
        raise ClaimRefused("; ".join(problems))
    window = ClaimWindow(
        name=name,
        as_of=as_of,
        opens=opens,
        closes=closes,
        sample_percent=sample_percent,
        created_by_id=user.id if user else None,
    )
    db.session.add(window)
    db.session.flush()
    db.session.add(ClaimBatch(window_id=window.id))
    record(
        "claim_window.create",
        "claim_window",
        window.id,
        f"Claim window {name} created, results as of {as_of.isoformat()}, audit sample {sample_percent}%",
        None,
        {"name": name, "as_of": as_of, "opens": opens, "closes": closes, "sample_percent": sample_percent},
        user=user,
    )
    db.session.commit()
    return window


def state_of(window: ClaimWindow) -> str:
    """open, draft assembled, sampled, submitted or paid."""
    batch = window.batch
    if batch.state == SUBMITTED:
        _, paid = claimed_and_paid(window)
        return "paid" if paid > 0 else "submitted"
    if batch.sampled_at:
        return "sampled"
    if batch.assembled_at:
        return "draft assembled"
    return "open"


def draft_batch(window: ClaimWindow) -> ClaimBatch:
    if window.batch.state != DRAFT:
        raise ClaimRefused(f"The claim for {window.name} has been submitted: its lines never change.")
    return window.batch


# --- assembling -------------------------------------------------------------------------------


def assembling(window: ClaimWindow) -> Job | None:
    """The assembly of the window that is queued or running, if any."""
    jobs = db.session.scalars(
        select(Job).where(Job.kind == JOB_KIND, Job.state.in_((QUEUED, RUNNING))).order_by(Job.id)
    ).all()
    return next((job for job in jobs if job.params.get("window_id") == window.id), None)


def check_assembly(window: ClaimWindow) -> None:
    """Refused while the window is submitted, another assembly of it is under way, or internal
    audit has checked lines of the draft (assembling replaces the lines, and so their checks:
    an auditor or administrator starts the audit again first)."""
    batch = draft_batch(window)
    if (other := assembling(window)) is not None:
        raise ClaimRefused(f"The claim for {window.name} is being assembled already (job {other.id}).")
    checked = db.session.scalar(
        select(ClaimLine.id).where(ClaimLine.batch_id == batch.id, ClaimLine.audit_state.is_not(None)).limit(1)
    )
    if checked is not None:
        raise ClaimRefused(
            f"Internal audit has checked lines of the claim for {window.name}: assembling it again would undo "
            "their checks. An internal auditor or an administrator can start the audit again first."
        )


def start_assembly(window: ClaimWindow, user=None, queue: bool = True, helpers: int = 0) -> Job:
    """Start the job that assembles the window's draft (see `check_assembly`)."""
    check_assembly(window)
    params = {"window_id": window.id, "helpers": helpers if queue else 0}
    return start(JOB_KIND, f"Assemble the claim for {window.name}", params, user=user, queue=queue)


def run_assembly(job, window_id: int, helpers: int = 0) -> dict:
    """Decide every attached family as of the window's date, with its claims so far, then
    replace the draft's lines with the claimable results, in one transaction."""
    window = db.session.get(ClaimWindow, window_id)
    if window is None:
        raise JobError("The claim window is no longer there.")
    if window.batch.state != DRAFT:
        raise JobError(f"The claim for {window.name} has been submitted: its lines never change.")
    evaluation = Evaluation(as_of=window.as_of, window_id=window.id, started_by_id=job_user(job))
    db.session.add(evaluation)
    db.session.commit()
    evaluation_id, name = evaluation.id, window.name
    families, _ = decide_all(job, evaluation_id, helpers)
    job.progress(families, families, f"Writing the claim lines for {name}")
    written, amount = _write_lines(window_id, evaluation_id, job_user(job))
    left_out = undecided_count(evaluation_id)
    unmeasured = unmeasured_count(evaluation_id, families)
    return {
        "message": f"Assembled the claim for {name}: {written:,} lines, £{amount:,}, "
        f"from {families - left_out - unmeasured:,} families{unmeasured_note(unmeasured)}{undecided_note(left_out)}",
        "lines": written,
        "amount": amount,
        "families": families,
        "undecided": left_out,
        "unmeasured": unmeasured,
        "evaluation_id": evaluation_id,
    }


def undecided_families(window: ClaimWindow, families=None) -> list[UndecidedFamily]:
    """The families the window's draft was last assembled without, because they could not be
    decided (their record needs putting right, then the claim assembling again); only those
    among `families` (like `visible_families(user)`) when it is given."""
    batch = window.batch
    return undecided.of_evaluation(batch.evaluation_id if batch is not None else None, families)


def job_user(job) -> int | None:
    return db.session.scalar(select(Job.started_by_id).where(Job.id == job.id))


def _write_lines(window_id: int, evaluation_id: int, user_id: int | None) -> tuple[int, int]:
    batch_id = db.session.scalar(select(ClaimBatch.id).where(ClaimBatch.window_id == window_id))
    # Assemblies write their lines one at a time.
    still_draft = locks.write_first(
        update(ClaimBatch)
        .where(ClaimBatch.id == batch_id, ClaimBatch.state == DRAFT)
        .values(evaluation_id=evaluation_id)
        .execution_options(preserve_rowcount=True),
        locks.CLAIMS,
    ).rowcount
    if not still_draft:
        db.session.rollback()
        raise JobError("The claim was submitted while it was being assembled: its lines were left as they were.")
    d = OutcomeDecision
    claimable = db.session.execute(
        select(d.family_id, d.family_ref, d.outcome, d.amount, d.rule_set, d.reasons, Family.attached_on)
        .join(Family, Family.id == d.family_id)
        .where(d.evaluation_id == evaluation_id, d.claimable)
        .order_by(d.family_ref, d.outcome)
    ).all()
    replaced = db.session.scalar(select(func.count()).where(ClaimLine.batch_id == batch_id))
    db.session.execute(delete(ClaimLine).where(ClaimLine.batch_id == batch_id))
    rows = [
        {
            "batch_id": batch_id,
            "family_id": family_id,
            "family_ref": ref,
            "outcome": outcome,
            "attachment_year": financial_year_of(attached),
            "amount": amount,
            "rule_set": rule_set,
            "reasons": reasons,
        }
        for family_id, ref, outcome, amount, rule_set, reasons, attached in claimable
    ]
    try:
        for i in range(0, len(rows), 5000):
            db.session.execute(insert(ClaimLine), rows[i : i + 5000])
    except IntegrityError:
        db.session.rollback()
        raise JobError(
            "Another window claimed some of these results while this one was being assembled; "
            "nothing was changed: assemble it again."
        ) from None
    total = sum(row["amount"] for row in rows)
    db.session.execute(
        update(ClaimBatch)
        .where(ClaimBatch.id == batch_id)
        .values(assembled_at=utcnow(), sample_seed=None, sampled_at=None, sampled_by_id=None)
    )
    record(
        "claim_batch.assemble",
        "claim_batch",
        batch_id,
        f"Claim assembled from evaluation {evaluation_id}: {len(rows):,} lines, £{total:,} "
        f"(replacing {replaced:,} draft lines)",
        None,
        {"lines": len(rows), "amount": total, "evaluation_id": evaluation_id},
        user=db.session.get(User, user_id) if user_id else None,
    )
    db.session.commit()
    return len(rows), total


# --- review -----------------------------------------------------------------------------------


def get_line(window: ClaimWindow, family_ref: str, outcome: str) -> ClaimLine:
    line = db.session.scalar(
        select(ClaimLine).where(
            ClaimLine.batch_id == window.batch.id,
            ClaimLine.family_ref == (family_ref or "").strip(),
            ClaimLine.outcome == (outcome or "").strip(),
        )
    )
    if line is None:
        raise ClaimRefused(f"The claim for {window.name} has no line for family {family_ref} and {outcome}.")
    return line


def exclude(window: ClaimWindow, line: ClaimLine, reason: str, user=None) -> None:
    draft_batch(window)
    reason = (reason or "").strip()
    if not reason:
        raise ClaimRefused("Say why the line is excluded.")
    if line.excluded:
        raise ClaimRefused("The line is excluded already.")
    line.excluded, line.exclusion_reason = True, reason
    line.excluded_by_id, line.excluded_at = (user.id if user else None), utcnow()
    record(
        "claim_line.exclude",
        "claim_line",
        line.id,
        f"Claim {window.name}: {line.family_ref} {line.outcome} (£{line.amount:,}) excluded: {reason}",
        {"excluded": False},
        {"excluded": True, "exclusion_reason": reason},
        user=user,
    )
    db.session.commit()


def include(window: ClaimWindow, line: ClaimLine, reason: str, user=None) -> None:
    """Include an excluded line again (never one internal audit rejected)."""
    draft_batch(window)
    reason = (reason or "").strip()
    if not reason:
        raise ClaimRefused("Say why the line is included again.")
    if not line.excluded:
        raise ClaimRefused("The line is included already.")
    if line.audit_state == REJECTED:
        raise ClaimRefused("Internal audit rejected this line: it stays excluded.")
    line.excluded, line.exclusion_reason, line.excluded_by_id, line.excluded_at = False, None, None, None
    record(
        "claim_line.include",
        "claim_line",
        line.id,
        f"Claim {window.name}: {line.family_ref} {line.outcome} included again: {reason}",
        {"excluded": True},
        {"excluded": False},
        user=user,
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ClaimRefused(
            f"Family {line.family_ref}'s {line.outcome} is claimed on another line now: this one stays excluded."
        ) from None


# --- internal audit ---------------------------------------------------------------------------


def _rank(seed: str, line_id: int) -> str:
    return hashlib.sha256(f"{seed}:{line_id}".encode()).hexdigest()


def draw_sample(window: ClaimWindow, user=None, seed: str | None = None) -> list[ClaimLine]:
    """Mark the window's share of the included lines for internal audit: the lines whose hash
    with the recorded seed comes first, so anyone can draw the same sample again. Refused once
    internal audit has checked a line of the sample: only `restart_audit` clears its checks."""
    batch = draft_batch(window)
    if batch.assembled_at is None:
        raise ClaimRefused(f"The claim for {window.name} has not been assembled yet.")
    if checked := sample_checked(window):
        raise ClaimRefused(
            f"Internal audit has checked {checked:,} {'line' if checked == 1 else 'lines'} of the sample of the "
            f"claim for {window.name}: the sample cannot be drawn again. An internal auditor can start the audit "
            "again, with the reason."
        )
    chosen = _draw(window, batch, user, seed)
    db.session.commit()
    return chosen


def _draw(window: ClaimWindow, batch: ClaimBatch, user, seed: str | None) -> list[ClaimLine]:
    """Draw the sample and audit it, in the caller's transaction."""
    seed = seed or secrets.token_hex(16)
    lines = db.session.scalars(select(ClaimLine).where(ClaimLine.batch_id == batch.id, ~ClaimLine.excluded)).all()
    size = math.ceil(len(lines) * window.sample_percent / 100)
    chosen = sorted(lines, key=lambda line: _rank(seed, line.id))[:size]
    db.session.execute(
        update(ClaimLine).where(ClaimLine.batch_id == batch.id).values(sampled=False, audit_state=None, audit_note=None)
    )
    if chosen:
        db.session.execute(update(ClaimLine).where(ClaimLine.id.in_([line.id for line in chosen])).values(sampled=True))
    batch.sample_seed, batch.sampled_at, batch.sampled_by_id = seed, utcnow(), user.id if user else None
    record(
        "claim_batch.sample",
        "claim_batch",
        batch.id,
        f"Audit sample of the claim for {window.name}: {len(chosen):,} of {len(lines):,} lines "
        f"({window.sample_percent}%), seed {seed}",
        None,
        {"seed": seed, "lines": sorted(line.id for line in chosen)},
        user=user,
    )
    return sorted(chosen, key=lambda line: (line.family_ref, line.outcome))


def sample_checked(window: ClaimWindow) -> int:
    """Sampled lines internal audit has checked (verified or rejected)."""
    return db.session.scalar(
        select(func.count()).where(
            ClaimLine.batch_id == window.batch.id, ClaimLine.sampled, ClaimLine.audit_state.is_not(None)
        )
    )


#: how a line internal audit rejected is excluded (see `verify`)
REJECTED_BY_AUDIT = "Rejected by internal audit"
#: who may start internal audit's check of a draft again
RESTARTERS = (roles.AUDITOR, roles.ADMIN)


def restart_audit(window: ClaimWindow, reason: str, user=None, seed: str | None = None) -> list[ClaimLine]:
    """Start internal audit's check of the draft again: clear every check, include again the
    lines excluded only because audit rejected them (unless the same result of the family is
    claimed on another line now), and draw a new sample; audited with the reason, in one
    transaction. Only an internal auditor or an administrator may."""
    batch = draft_batch(window)
    if user is not None and user.role not in RESTARTERS:
        raise ClaimRefused("Only an internal auditor or an administrator can start the audit again.")
    reason = _reason(reason, "Say why the audit is started again.")
    if batch.sampled_at is None:
        raise ClaimRefused(f"Internal audit's sample of the claim for {window.name} has not been drawn yet.")
    checked = db.session.scalars(
        select(ClaimLine).where(ClaimLine.batch_id == batch.id, ClaimLine.audit_state.is_not(None))
    ).all()
    rejected = [
        line
        for line in checked
        if line.audit_state == REJECTED
        and line.excluded
        and (line.exclusion_reason or "").startswith(REJECTED_BY_AUDIT)
    ]
    # The same result of the family claimed on another line since: that line keeps it.
    other = aliased(ClaimLine)
    taken = set(
        db.session.scalars(
            select(ClaimLine.id).where(
                ClaimLine.id.in_([line.id for line in rejected]),
                select(other.id)
                .where(
                    other.family_id == ClaimLine.family_id,
                    other.outcome == ClaimLine.outcome,
                    other.id != ClaimLine.id,
                    ~other.excluded,
                )
                .exists(),
            )
        )
    )
    included_again = [line for line in rejected if line.id not in taken]
    before = {
        "checks": [
            {"line": line.id, "family_ref": line.family_ref, "outcome": line.outcome, "audit_state": line.audit_state}
            for line in sorted(checked, key=lambda line: line.id)
        ],
        "seed": batch.sample_seed,
    }
    for line in checked:
        line.audit_state = line.audit_note = line.audited_by_id = line.audited_at = None
    for line in included_again:
        line.excluded, line.exclusion_reason, line.excluded_by_id, line.excluded_at = False, None, None, None
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ClaimRefused(
            "A rejected line's result is claimed on another line now: the audit was not started again. Try again."
        ) from None
    record(
        "claim_batch.restart_audit",
        "claim_batch",
        batch.id,
        f"Internal audit of the claim for {window.name} started again ({len(checked):,} "
        f"{'check' if len(checked) == 1 else 'checks'} cleared, {len(included_again):,} rejected "
        f"{'line' if len(included_again) == 1 else 'lines'} included again): {reason}",
        before,
        {"checks": [], "included_again": sorted(line.id for line in included_again), "reason": reason},
        user=user,
    )
    chosen = _draw(window, batch, user, seed)
    db.session.commit()
    return chosen


def verify(window: ClaimWindow, line: ClaimLine, note: str, reject: bool = False, user=None) -> None:
    """Internal audit's check of a sampled line; a rejected line is excluded. Refused to the
    person who assembled the draft or who excluded or included the line (`cannot_check`); the
    command line acts as no one and is not refused."""
    draft_batch(window)
    note = (note or "").strip()
    if not line.sampled:
        raise ClaimRefused("That line is not in the audit sample.")
    if not note:
        raise ClaimRefused("Add a note saying what was checked.")
    if user is not None and (why := cannot_check(window, line, user)):
        raise ClaimRefused(why)
    before = {"audit_state": line.audit_state, "excluded": line.excluded}
    line.audit_state, line.audit_note = (REJECTED if reject else VERIFIED), note
    line.audited_by_id, line.audited_at = (user.id if user else None), utcnow()
    if reject and not line.excluded:
        line.excluded, line.exclusion_reason = True, f"{REJECTED_BY_AUDIT}: {note}"
        line.excluded_by_id, line.excluded_at = line.audited_by_id, line.audited_at
    record(
        "claim_line.audit",
        "claim_line",
        line.id,
        f"Claim {window.name}: {line.family_ref} {line.outcome} {line.audit_state} by internal audit: {note}",
        before,
        {"audit_state": line.audit_state, "excluded": line.excluded},
        user=user,
    )
    db.session.commit()


def sample_left(window: ClaimWindow) -> int:
    """Sampled lines internal audit has not checked yet."""
    return db.session.scalar(
        select(func.count()).where(
            ClaimLine.batch_id == window.batch.id, ClaimLine.sampled, ClaimLine.audit_state.is_(None)
        )
    )


def assembled_by(window: ClaimWindow) -> int | None:
    """Who assembled the draft's lines as they are: the user of the last assembly's audit entry."""
    return db.session.scalar(
        select(AuditEntry.user_id)
        .where(
            AuditEntry.action == "claim_batch.assemble",
            AuditEntry.object_type == "claim_batch",
            AuditEntry.object_id == str(window.batch.id),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def _reviewed_by_user(window: ClaimWindow, user_id: int, line_ids=None) -> set[int]:
    """The lines of the draft as assembled (entries since its assembly: line ids may be reused)
    that this user excluded or included again."""
    query = select(AuditEntry.object_id).where(
        AuditEntry.action.in_(("claim_line.exclude", "claim_line.include")),
        AuditEntry.object_type == "claim_line",
        AuditEntry.user_id == user_id,
    )
    if window.batch.assembled_at is not None:
        query = query.where(AuditEntry.at >= window.batch.assembled_at)
    if line_ids is not None:
        query = query.where(AuditEntry.object_id.in_([str(i) for i in line_ids]))
    return {int(object_id) for object_id in db.session.scalars(query) if object_id and object_id.isdigit()}


def cannot_check(window: ClaimWindow, line: ClaimLine, user) -> str | None:
    """Why this person may not check this line (separation of duties), or None: whoever
    assembled the draft checks none of its lines, whoever excluded or included a line not that one."""
    if user is None:
        return None
    if assembled_by(window) == user.id:
        return (
            f"You assembled the draft claim for {window.name}, so someone else must check its lines: "
            "internal audit checks work it did not do."
        )
    if line.id in _reviewed_by_user(window, user.id, [line.id]) or (
        line.excluded and line.excluded_by_id == user.id and line.audit_state != REJECTED
    ):
        return (
            f"You excluded or included {line.family_ref}'s {line.outcome} in this draft, so someone else must "
            "check this line: internal audit checks work it did not do."
        )
    return None


def next_to_check(window: ClaimWindow, after: ClaimLine | None = None, user=None) -> ClaimLine | None:
    """The next sampled line still to check, by family reference and result, after `after`
    (from the start again when none is after it), leaving out lines `user` may not check."""
    if user is not None and assembled_by(window) == user.id:
        return None
    lines = db.session.scalars(
        select(ClaimLine)
        .where(ClaimLine.batch_id == window.batch.id, ClaimLine.sampled, ClaimLine.audit_state.is_(None))
        .order_by(ClaimLine.family_ref, ClaimLine.outcome, ClaimLine.id)
    ).all()
    if user is not None:
        touched = _reviewed_by_user(window, user.id)
        lines = [line for line in lines if line.id not in touched]
    if after is not None:
        key = (after.family_ref, after.outcome, after.id)
        later = [line for line in lines if (line.family_ref, line.outcome, line.id) > key]
        lines = later or lines
    return lines[0] if lines else None


@dataclass(frozen=True)
class Rejection:
    """A line internal audit rejected in an earlier window."""

    family_id: int
    family_ref: str
    outcome: str
    window: str
    note: str | None


def rejected_before(window: ClaimWindow, family_ids=None) -> dict[int, list[Rejection]]:
    """family id -> the lines internal audit rejected in earlier windows (by evidence date,
    then by when the window was made), for the families of this window's lines (or of
    `family_ids`, a list or a query of ids): one query for a page."""
    if family_ids is None:
        family_ids = select(ClaimLine.family_id).where(ClaimLine.batch_id == window.batch.id)
    earlier = (ClaimWindow.as_of < window.as_of) | ((ClaimWindow.as_of == window.as_of) & (ClaimWindow.id < window.id))
    rows = db.session.execute(
        select(ClaimLine.family_id, ClaimLine.family_ref, ClaimLine.outcome, ClaimWindow.name, ClaimLine.audit_note)
        .join(ClaimBatch, ClaimBatch.id == ClaimLine.batch_id)
        .join(ClaimWindow, ClaimWindow.id == ClaimBatch.window_id)
        .where(
            ClaimLine.audit_state == REJECTED,
            ClaimWindow.id != window.id,
            earlier,
            ClaimLine.family_id.in_(family_ids),
        )
        .order_by(ClaimLine.family_id, ClaimWindow.as_of, ClaimWindow.id, ClaimLine.outcome)
    ).all()
    found: dict[int, list[Rejection]] = {}
    for row in rows:
        found.setdefault(row[0], []).append(Rejection(*row))
    return found


@dataclass(frozen=True)
class SampleWaiting:
    """A draft window with sampled lines still to check."""

    window: ClaimWindow
    left: int
    first: ClaimLine


def samples_waiting() -> list[SampleWaiting]:
    """Each draft window with sampled lines still to check: how many, and the first of them."""
    counts = db.session.execute(
        select(ClaimBatch.window_id, func.count())
        .join(ClaimLine, ClaimLine.batch_id == ClaimBatch.id)
        .where(ClaimBatch.state == DRAFT, ClaimLine.sampled, ClaimLine.audit_state.is_(None))
        .group_by(ClaimBatch.window_id)
    ).all()
    waiting = []
    for window_id, left in counts:
        window = db.session.get(ClaimWindow, window_id)
        waiting.append(SampleWaiting(window, left, next_to_check(window)))
    return sorted(waiting, key=lambda w: (w.window.as_of, w.window.name))


# --- submission -------------------------------------------------------------------------------


def submission_problems(window: ClaimWindow) -> list[str]:
    """Why the draft cannot be submitted yet (nothing when it can)."""
    batch = window.batch
    if batch.assembled_at is None:
        return [f"The claim for {window.name} has not been assembled yet."]
    if window.sample_percent and batch.sampled_at is None:
        return [f"Internal audit has not drawn its sample of the claim for {window.name} yet."]
    if left := sample_left(window):
        return [f"Internal audit has {left:,} sampled {'line' if left == 1 else 'lines'} still to check."]
    return []


@dataclass(frozen=True)
class ExcludedLine:
    family_ref: str
    outcome: str
    amount: int
    reason: str | None
    by: str


@dataclass(frozen=True)
class Answers:
    """What a submission would send: the included lines by result and attachment year, the
    excluded lines, and what internal audit's sample found."""

    rows: list[tuple[str, str, int, int]]
    lines: int
    amount: int
    excluded: list[ExcludedLine]
    sampled: int
    verified: int
    rejected: int
    left: int
    problems: list[str]
    #: included lines of families internal audit rejected a line of in an earlier window
    rejected_before: int = 0


def answers(window: ClaimWindow) -> Answers:
    """The check-your-answers page's figures for the window's claim."""
    rows = summary(window)
    batch = window.batch
    excluded = db.session.execute(
        select(ClaimLine.family_ref, ClaimLine.outcome, ClaimLine.amount, ClaimLine.exclusion_reason, User.name)
        .outerjoin(User, User.id == ClaimLine.excluded_by_id)
        .where(ClaimLine.batch_id == batch.id, ClaimLine.excluded)
        .order_by(ClaimLine.family_ref, ClaimLine.outcome)
    ).all()
    audit = {
        state or "left": n
        for state, n in db.session.execute(
            select(ClaimLine.audit_state, func.count())
            .where(ClaimLine.batch_id == batch.id, ClaimLine.sampled)
            .group_by(ClaimLine.audit_state)
        )
    }
    return Answers(
        rows=rows,
        lines=sum(row[2] for row in rows),
        amount=sum(row[3] for row in rows),
        excluded=[
            ExcludedLine(ref, outcome, amount, reason, name or "The system (command line)")
            for ref, outcome, amount, reason, name in excluded
        ],
        sampled=sum(audit.values()),
        verified=audit.get(VERIFIED, 0),
        rejected=audit.get(REJECTED, 0),
        left=audit.get("left", 0),
        problems=submission_problems(window),
        rejected_before=db.session.scalar(
            select(func.count()).where(
                ClaimLine.batch_id == batch.id,
                ~ClaimLine.excluded,
                ClaimLine.family_id.in_(list(rejected_before(window))),
            )
        ),
    )


def submit(window: ClaimWindow, user=None) -> None:
    """Lock the batch: from now on its lines never change."""
    batch = draft_batch(window)
    if problems := submission_problems(window):
        raise ClaimRefused(problems[0])
    batch.state, batch.submitted_at, batch.submitted_by_id = SUBMITTED, utcnow(), user.id if user else None
    record(
        "claim_batch.submit",
        "claim_batch",
        batch.id,
        f"Claim for {window.name} submitted",
        {"state": DRAFT},
        {"state": SUBMITTED},
        user=user,
    )
    db.session.commit()


# --- exports ----------------------------------------------------------------------------------


def export_lines(window: ClaimWindow) -> Iterator[str]:
    """`window,family_ref,outcome,attachment_year,amount,status`, a row per line."""

    def rows():
        yield LINE_COLUMNS
        query = (
            select(
                ClaimLine.family_ref, ClaimLine.outcome, ClaimLine.attachment_year, ClaimLine.amount, ClaimLine.excluded
            )
            .where(ClaimLine.batch_id == window.batch.id)
            .order_by(ClaimLine.family_ref, ClaimLine.outcome)
        )
        for ref, outcome, year, amount, excluded in db.session.execute(query.execution_options(yield_per=2000)):
            yield [window.name, ref, outcome, year, amount, "excluded" if excluded else "included"]

    return csv_text(rows())


def summary(window: ClaimWindow) -> list[tuple[str, str, int, int]]:
    """(outcome, attachment_year, families, amount) over the included lines."""
    return [
        tuple(row)
        for row in db.session.execute(
            select(ClaimLine.outcome, ClaimLine.attachment_year, func.count(), func.sum(ClaimLine.amount))
            .where(ClaimLine.batch_id == window.batch.id, ~ClaimLine.excluded)
            .group_by(ClaimLine.outcome, ClaimLine.attachment_year)
            .order_by(ClaimLine.outcome, ClaimLine.attachment_year)
        )
    ]


def export_summary(window: ClaimWindow) -> Iterator[str]:
    """`window,outcome,attachment_year,families,amount`, over the included lines."""
    return csv_text(iter([SUMMARY_COLUMNS, *([window.name, *row] for row in summary(window))]))


# --- payments ---------------------------------------------------------------------------------


class OverOutstanding(ClaimRefused):
    """The payment would take what is paid above what is outstanding: recorded only when the
    person says so (the figure is far more often mistyped than truly overpaid)."""


@dataclass(frozen=True)
class Balance:
    """A window's money: what is claimed (its included lines), paid (payments less their
    reversals) and clawed back (spot checks' clawbacks less their reversals)."""

    claimed: int
    paid: int
    clawed_back: int = 0

    @property
    def outstanding(self) -> int:
        """Still to be paid: a clawback takes results out of the claim and out of what was
        paid for them alike, so it leaves this as it was."""
        return max(self.claimed - self.paid, 0)

    @property
    def overpaid(self) -> int:
        return max(self.paid - self.claimed, 0)

    @property
    def drawn_down(self) -> int:
        """What the window has brought in, net: the sum of its ledger."""
        return self.paid - self.clawed_back


def balance_words(claimed: int, paid: int) -> str:
    """“£400 still to be paid” or “£910,599 overpaid”: never a negative amount outstanding."""
    if paid > claimed:
        return f"£{paid - claimed:,} overpaid"
    return f"£{claimed - paid:,} still to be paid"


def balance(window: ClaimWindow) -> Balance:
    claimed, paid = claimed_and_paid(window)
    clawed = db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.window_id == window.id, clawback_entries())
    )
    return Balance(claimed, paid, -clawed)


def clawback_entries():
    """A condition on `Payment` for the clawbacks and the reversals of clawbacks: what they sum
    to is what was clawed back (negative); the other entries sum to what was paid."""
    clawback = aliased(Payment)
    reversed_clawbacks = select(clawback.id).where(clawback.kind == CLAWBACK).correlate(None)
    return (Payment.kind == CLAWBACK) | ((Payment.kind == REVERSAL) & Payment.reverses_id.in_(reversed_clawbacks))


def ledger(window: ClaimWindow) -> list[Payment]:
    """The window's payments, reversals and clawbacks, in the order they were recorded."""
    return db.session.scalars(
        select(Payment).where(Payment.window_id == window.id).order_by(Payment.recorded_at, Payment.id)
    ).all()


def reversed_ids(window: ClaimWindow) -> set[int]:
    """The window's entries that have been reversed."""
    return set(
        db.session.scalars(
            select(Payment.reverses_id).where(Payment.window_id == window.id, Payment.reverses_id.is_not(None))
        )
    )


def _submitted(window: ClaimWindow) -> None:
    if window.batch.state != SUBMITTED:
        raise ClaimRefused(f"The claim for {window.name} has not been submitted: nothing can have been paid for it.")


def _pounds(amount, what: str) -> int:
    if not isinstance(amount, int) or not 0 < amount <= MAX_POUNDS:
        raise ClaimRefused(f"{what} must be a whole number of pounds, from 1 to {MAX_POUNDS:,}.")
    return amount


def _reason(reason: str | None, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ClaimRefused(missing)
    if len(reason) > 2000:
        raise ClaimRefused("The reason must be 2,000 characters or fewer.")
    return reason


def record_payment(
    window: ClaimWindow,
    amount: int,
    paid_on: date,
    note: str | None = None,
    user=None,
    over_outstanding: bool = False,
) -> Payment:
    """Record a payment; one that would take what is paid above what is outstanding is
    refused (`OverOutstanding`) unless `over_outstanding` says it is meant."""
    _submitted(window)
    _pounds(amount, "The amount paid")
    money = balance(window)
    if amount > money.outstanding and not over_outstanding:
        raise OverOutstanding(
            f"£{amount:,} is more than is outstanding for {window.name} (£{money.outstanding:,} of the "
            f"£{money.claimed:,} claimed): it would leave the claim £{money.paid + amount - money.claimed:,} "
            "overpaid. Check the amount, or confirm that it is what was paid."
        )
    payment = Payment(
        window_id=window.id,
        kind=PAYMENT,
        amount=amount,
        paid_on=paid_on,
        note=note,
        recorded_by_id=user.id if user else None,
    )
    db.session.add(payment)
    db.session.flush()
    over = f" (£{money.paid + amount - money.claimed:,} more than claimed)" if amount > money.outstanding else ""
    record(
        "claim_payment.record",
        "claim_payment",
        payment.id,
        f"Payment of £{amount:,} on {paid_on.isoformat()} recorded for the claim for {window.name}{over}",
        None,
        {"kind": PAYMENT, "amount": amount, "paid_on": paid_on, "note": note, "over_outstanding": bool(over)},
        user=user,
    )
    db.session.commit()
    return payment


def describe(entry: Payment, start: bool = False) -> str:
    """“the payment of £999,999 on 30 September 2013” (“The ...” to start a sentence), for
    messages and the audit trail."""
    what = {PAYMENT: "payment", CLAWBACK: "clawback", REVERSAL: "reversal"}[entry.kind]
    return f"{'The' if start else 'the'} {what} of £{abs(entry.amount):,} on {entry.paid_on.day} {entry.paid_on:%B %Y}"


def get_entry(window: ClaimWindow, entry_id: int | None) -> Payment:
    entry = db.session.get(Payment, entry_id) if entry_id else None
    if entry is None or entry.window_id != window.id:
        raise ClaimRefused(f"The claim for {window.name} has no such payment.")
    return entry


def reverse(window: ClaimWindow, entry: Payment, reason: str, user=None) -> Payment:
    """Correct a payment or clawback keyed by mistake with an entry of the opposite amount,
    leaving the mistaken one as it was. An entry is reversed once; a reversal is never
    reversed (the mistake it corrects is recorded again, as a new entry)."""
    if entry.window_id != window.id:
        raise ClaimRefused(f"The claim for {window.name} has no such payment.")
    if entry.kind == REVERSAL:
        raise ClaimRefused("A reversal cannot be reversed: record the payment again instead.")
    if entry.id in reversed_ids(window):
        raise ClaimRefused(f"{describe(entry, start=True)} has been reversed already.")
    reason = _reason(reason, "Say why the entry is reversed.")
    reversal = Payment(
        window_id=window.id,
        kind=REVERSAL,
        amount=-entry.amount,
        paid_on=entry.paid_on,
        note=reason,
        reverses_id=entry.id,
        recorded_by_id=user.id if user else None,
    )
    db.session.add(reversal)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ClaimRefused(f"{describe(entry, start=True)} has been reversed already.") from None
    record(
        "claim_payment.reverse",
        "claim_payment",
        reversal.id,
        f"Claim {window.name}: {describe(entry)} reversed: {reason}",
        None,
        {"kind": REVERSAL, "amount": reversal.amount, "reverses_id": entry.id, "reason": reason},
        user=user,
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ClaimRefused(f"{describe(entry, start=True)} has been reversed already.") from None
    return reversal


def claw_back(window: ClaimWindow, amount: int, clawed_back_on: date, reason: str, user=None) -> Payment:
    """Record money taken back from a submitted claim after a spot check, as a negative entry
    against the window; never more than the claim less what was clawed back already."""
    _submitted(window)
    _pounds(amount, "The amount clawed back")
    reason = _reason(reason, "Say what the spot check found.")
    money = balance(window)
    if amount > money.claimed - money.clawed_back:
        raise ClaimRefused(
            f"£{amount:,} is more than is left of the claim for {window.name} to claw back "
            f"(£{money.claimed - money.clawed_back:,})."
        )
    entry = Payment(
        window_id=window.id,
        kind=CLAWBACK,
        amount=-amount,
        paid_on=clawed_back_on,
        note=reason,
        recorded_by_id=user.id if user else None,
    )
    db.session.add(entry)
    db.session.flush()
    record(
        "claim_payment.clawback",
        "claim_payment",
        entry.id,
        f"Clawback of £{amount:,} on {clawed_back_on.isoformat()} recorded against the claim for {window.name}: "
        f"{reason}",
        None,
        {"kind": CLAWBACK, "amount": -amount, "paid_on": clawed_back_on, "reason": reason},
        user=user,
    )
    db.session.commit()
    return entry


def claimed_and_paid(window: ClaimWindow) -> tuple[int, int]:
    """What the window claims (its included lines) and what was paid for it (payments less
    their reversals; clawbacks are apart, in `balance`)."""
    claimed = db.session.scalar(
        select(func.coalesce(func.sum(ClaimLine.amount), 0)).where(
            ClaimLine.batch_id == window.batch.id, ~ClaimLine.excluded
        )
    )
    paid = db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.window_id == window.id, ~clawback_entries())
    )
    return claimed, paid
