"""Subject access: everything the product holds about one person, gathered into one file.

Under the UK GDPR a person may ask for a copy of all the personal data held about them. A
person here is a family member; what is held about them is spread over the case (their
details, their family's), the evidence (their attendance, events and spells), the case work,
the claims (lines and the frozen evidence naming them) and the family's results.

The rule for case work: a record that names or concerns the member is included; a record of
the whole family (a case note, an action, a meeting) is included and marked so; a record about
another member alone is left out, being that person's data. Each part is one query over the
member's family (a person's data is small). Nothing here changes data: the view logs the
export (`log_export`) once the file is built.
"""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from tff.audit.operations import record
from tff.auth.models import User
from tff.cases.access import visible_families
from tff.cases.caf.models import (
    ANSWERS,
    DOMAINS,
    SCORES,
    SCREENINGS,
    Action,
    ActionUpdate,
    Assessment,
    CafConsent,
    CaseReview,
    Screening,
    TafMeeting,
)
from tff.cases.models import CLOSURE_REASONS, Family, FamilyCriterion, FamilyStatusChange, Member
from tff.cases.models.identification import CRITERIA
from tff.cases.models.member import name_key
from tff.cases.progress.models import CaseNote
from tff.cases.referrals.models import CareLevelChange, Referral
from tff.claims.models import ClaimBatch, ClaimEvidence, ClaimLine, ClaimWindow
from tff.evidence.kinds import EVENT_LABELS, SPELL_LABELS
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.extensions import db
from tff.outcomes.verified.models import VerifiedOutcome
from tff.privacy.operations import log_view
from tff.timeutil import utcnow

#: the shape of `person.json`; a reader of a later shape knows it by this
VERSION = 1
#: the most people a search lists: more means the search should be narrowed
MAX_RESULTS = 50
#: how a record relates to the person, said on every case-work record
THIS_PERSON = "this person"
WHOLE_FAMILY = "the whole family"
#: the frozen evidence's lists that hold one entry per person
FROZEN_LISTS = ("members", "attendance", "events", "spells")

README = """\
Everything held about one person
================================

This file was exported by {exported_by} on {exported_at} (UTC), in answer to a subject access
request for {name} (person reference {person_ref}). It holds every record the Families for
Change case management system keeps about them. person.json holds the same, structured, for
a machine to read; this file says what each part is.

The export has been logged: the family's access log and the audit trail say who exported it
and when.

Before sending it on, read it for other people's personal data. Records of the whole family
(marked "about": "the whole family") may name or describe other family members or
practitioners, and may need to be redacted. Records about another family member alone have
been left out.

What each part of person.json is
--------------------------------

person          The person's own details: names, date of birth, sex, relationship in the
                family, Unique Pupil Number and National Insurance number.
family          Their family's reference, programme, status, dates, address and the history
                of its status (identified, attached, closed, reopened).
evidence        What partners sent about the person: school attendance by term, events
                (offences, exclusions, ...) and spells (benefits, plans, employment), each
                with its source and the source's own reference.
case_work       The Family CAF and case work that names or concerns the person:
                  consents    consents to sharing information the person gave
                  screenings  drug and alcohol and CSE screenings about them or the family
                  case_notes  records of contact with the family (facts and opinion apart)
                  actions     the family's action plan, with each action's history
                  assessments the family's assessments, a score from 1 to 4 per domain
                  meetings    Team Around the Family meetings
                  reviews     reviews of the family's plan
                  referrals   the family's referrals to providers, with each step
                  care_levels the family's steps up to and down from social care
                "mentions_by_name" says whether the person's name appears in the words.
claims          The family's payment-by-results claim lines, and the evidence frozen when
                each claim was assembled, kept to the entries naming this person's reference.
results         Outcomes verified for the family or for this person.
identification  The criteria the family was identified as meeting.

Counts
------
{counts}
"""


@dataclass
class Found:
    """One person listed by a search, with their family."""

    person_ref: str
    first_name: str
    last_name: str
    date_of_birth: date
    family_ref: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


# --- finding the person ------------------------------------------------------------------------


def _members(user):
    """Members of the families the user may see: the one scoping door, applied to people."""
    return (
        select(Member.person_ref, Member.first_name, Member.last_name, Member.date_of_birth, Family.reference)
        .join(Family, Family.id == Member.family_id)
        .where(Member.family_id.in_(visible_families(user).with_only_columns(Family.id)))
    )


def search(user, person_ref: str = "", name: str = "", born: date | None = None) -> tuple[list[Found], bool]:
    """The people matching a reference (exactly) or a name (each word the start of a first or
    last name), narrowed by date of birth; and whether there were more than a page."""
    query = _members(user)
    if person_ref.strip():
        query = query.where(Member.person_ref == person_ref.strip())
    words = [name_key(word) for word in name.split()]
    words = [word for word in words if word]
    for word in words:
        query = query.where(
            or_(
                Member.first_key.startswith(word, autoescape=True),
                Member.last_key.startswith(word, autoescape=True),
            )
        )
    if born:
        query = query.where(Member.date_of_birth == born)
    if not (person_ref.strip() or words or born):
        return [], False
    query = query.order_by(Member.last_key, Member.first_key, Member.date_of_birth, Member.person_ref)
    rows = db.session.execute(query.limit(MAX_RESULTS + 1)).all()
    return [Found(*row) for row in rows[:MAX_RESULTS]], len(rows) > MAX_RESULTS


def member_or_none(user, person_ref: str) -> Member | None:
    """The member with this reference, if the user may see their family."""
    return db.session.scalar(
        select(Member).where(
            Member.person_ref == person_ref,
            Member.family_id.in_(visible_families(user).with_only_columns(Family.id)),
        )
    )


# --- gathering what is held --------------------------------------------------------------------


def _iso(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _mentions(member: Member, *texts) -> bool:
    """Whether the member's first name or full name appears in any of the words."""
    words = " ".join(t for t in texts if t).lower()
    names = {member.first_name.strip().lower(), member.full_name.strip().lower()} - {""}
    return any(n in words for n in names)


def _about(member_id: int | None, member: Member) -> str:
    return THIS_PERSON if member_id == member.id else WHOLE_FAMILY


class _Users:
    """The names of the staff who recorded things, looked up once at the end."""

    def __init__(self):
        self.ids: set[int] = set()
        self.slots: list[tuple[dict, str, int]] = []

    def __call__(self, into: dict, key: str, user_id: int | None) -> None:
        into[key] = None
        if user_id is not None:
            self.ids.add(user_id)
            self.slots.append((into, key, user_id))

    def fill(self) -> None:
        if not self.ids:
            return
        names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(self.ids))).all())
        for into, key, user_id in self.slots:
            into[key] = names.get(user_id)


def _family(family: Family, users: _Users) -> dict:
    changes = db.session.scalars(
        select(FamilyStatusChange)
        .where(FamilyStatusChange.family_id == family.id)
        .order_by(FamilyStatusChange.effective_on, FamilyStatusChange.id)
    ).all()
    history = []
    for change in changes:
        step = {
            "from_status": change.from_status,
            "to_status": change.to_status,
            "effective_on": _iso(change.effective_on),
            "reason": CLOSURE_REASONS.get(change.reason, change.reason) if change.reason else None,
        }
        users(step, "by", change.by_id)
        history.append(step)
    return {
        "reference": family.reference,
        "programme": family.programme,
        "programme_name": family.programme_label,
        "status": family.status_label,
        "identified_on": _iso(family.identified_on),
        "attached_on": _iso(family.attached_on),
        "closed_on": _iso(family.closed_on),
        "closure_reason": CLOSURE_REASONS.get(family.closure_reason) if family.closure_reason else None,
        "address": family.address,
        "postcode": family.postcode,
        "personal_data_removed_at": _iso(family.anonymised_at),
        "status_history": history,
    }


def _evidence(member: Member, users: _Users) -> dict:
    attendance = db.session.scalars(
        select(AttendanceRecord)
        .where(AttendanceRecord.member_id == member.id)
        .order_by(AttendanceRecord.academic_year, AttendanceRecord.id)
    ).all()
    events = db.session.scalars(select(Event).where(Event.member_id == member.id).order_by(Event.date, Event.id)).all()
    spells = db.session.scalars(
        select(Spell).where(Spell.member_id == member.id).order_by(Spell.start_date, Spell.id)
    ).all()
    out_events, out_spells = [], []
    for e in events:
        row = {
            "kind": e.kind,
            "what": EVENT_LABELS.get(e.kind, e.kind),
            "date": _iso(e.date),
            "source": e.source or None,
            "reference": e.reference,
            "detail": e.detail or None,
            "import_run": e.run_id,
            "recorded_at": _iso(e.created_at),
        }
        users(row, "entered_by", e.entered_by_id)
        out_events.append(row)
    for s in spells:
        row = {
            "kind": s.kind,
            "what": SPELL_LABELS.get(s.kind, s.kind),
            "detail": s.detail or None,
            "start_date": _iso(s.start_date),
            "end_date": _iso(s.end_date),
            "source": s.source or None,
            "reference": s.reference,
            "import_run": s.run_id,
            "recorded_at": _iso(s.created_at),
        }
        users(row, "entered_by", s.entered_by_id)
        out_spells.append(row)
    return {
        "attendance": [
            {
                "academic_year": a.academic_year,
                "term": a.term,
                "school": a.school or None,
                "possible_sessions": a.possible,
                "authorised_absences": a.authorised,
                "unauthorised_absences": a.unauthorised,
                "source": "school census import",
                "import_run": a.run_id,
                "recorded_at": _iso(a.created_at),
            }
            for a in attendance
        ],
        "events": out_events,
        "spells": out_spells,
    }


def _case_work(member: Member, family_id: int, users: _Users) -> dict:
    consents = db.session.scalars(
        select(CafConsent).where(CafConsent.family_id == family_id, CafConsent.given_by_member_id == member.id)
    ).all()
    screenings = db.session.scalars(
        select(Screening)
        .where(
            Screening.family_id == family_id,
            or_(Screening.member_id == member.id, Screening.member_id.is_(None)),
        )
        .order_by(Screening.completed_on, Screening.id)
    ).all()
    notes = db.session.scalars(
        select(CaseNote).where(CaseNote.family_id == family_id).order_by(CaseNote.contact_on, CaseNote.id)
    ).all()
    actions = db.session.scalars(
        select(Action).where(Action.family_id == family_id).order_by(Action.agreed_on, Action.id)
    ).all()
    updates: dict[int, list] = {a.id: [] for a in actions}
    if actions:
        for u in db.session.scalars(
            select(ActionUpdate).where(ActionUpdate.action_id.in_(list(updates))).order_by(ActionUpdate.id)
        ):
            step = {"from_status": u.from_status, "to_status": u.to_status, "on": _iso(u.on)}
            users(step, "by", u.by_id)
            updates[u.action_id].append(step)
    assessments = db.session.scalars(
        select(Assessment)
        .where(Assessment.family_id == family_id)
        .options(selectinload(Assessment.scores))
        .order_by(Assessment.assessed_on, Assessment.id)
    ).all()
    meetings = db.session.scalars(
        select(TafMeeting)
        .where(TafMeeting.family_id == family_id)
        .options(selectinload(TafMeeting.attendees))
        .order_by(TafMeeting.held_on, TafMeeting.id)
    ).all()
    reviews = db.session.scalars(
        select(CaseReview).where(CaseReview.family_id == family_id).order_by(CaseReview.reviewed_on, CaseReview.id)
    ).all()
    referrals = db.session.scalars(
        select(Referral)
        .where(Referral.family_id == family_id)
        .options(selectinload(Referral.provider), selectinload(Referral.transitions))
        .order_by(Referral.requested_on, Referral.id)
    ).all()
    levels = db.session.scalars(
        select(CareLevelChange)
        .where(CareLevelChange.family_id == family_id)
        .order_by(CareLevelChange.changed_on, CareLevelChange.id)
    ).all()

    def row(values: dict, user_key: str, user_id: int | None) -> dict:
        users(values, user_key, user_id)
        return values

    out = {
        "consents": [
            row(
                {
                    "about": THIS_PERSON,
                    "why_included": "the person gave this consent",
                    "given_on": _iso(c.given_on),
                    "agencies": c.agency_labels,
                    "information": c.information_labels,
                    "withdrawn_on": _iso(c.withdrawn_on),
                    "withdrawn_note": c.withdrawn_note,
                },
                "recorded_by",
                c.recorded_by_id,
            )
            for c in consents
        ],
        "screenings": [
            row(
                {
                    "about": _about(s.member_id, member),
                    "screening": SCREENINGS.get(s.kind, {}).get("title", s.kind),
                    "completed_on": _iso(s.completed_on),
                    "answers": {
                        SCREENINGS.get(s.kind, {}).get("questions", {}).get(q, q): ANSWERS.get(a, a)
                        for q, a in (s.answers or {}).items()
                    },
                    "outcome": s.outcome_label,
                    "outcome_note": s.outcome_note,
                    "completed_with": s.completed_with,
                },
                "recorded_by",
                s.by_id,
            )
            for s in screenings
        ],
        "case_notes": [
            row(
                {
                    "about": WHOLE_FAMILY,
                    "mentions_by_name": _mentions(member, n.facts, n.opinion),
                    "contact_on": _iso(n.contact_on),
                    "kind": n.kind_label,
                    "facts": n.facts,
                    "opinion": n.opinion,
                },
                "written_by",
                n.author_id,
            )
            for n in notes
        ],
        "actions": [
            {
                "about": WHOLE_FAMILY,
                "mentions_by_name": _mentions(member, a.description, a.owner),
                "description": a.description,
                "need": a.domain_label or None,
                "owner": a.owner,
                "agreed_on": _iso(a.agreed_on),
                "due_on": _iso(a.due_on),
                "status": a.status_label,
                "completed_on": _iso(a.completed_on),
                "history": updates[a.id],
            }
            for a in actions
        ],
        "assessments": [
            row(
                {
                    "about": WHOLE_FAMILY,
                    "mentions_by_name": _mentions(
                        member, a.summary, *[t for s in a.scores for t in (s.strengths, s.needs)]
                    ),
                    "assessed_on": _iso(a.assessed_on),
                    "summary": a.summary,
                    "domains": [
                        {
                            "domain": DOMAINS.get(s.domain, s.domain),
                            "score": s.score,
                            "meaning": SCORES.get(s.score),
                            "strengths": s.strengths,
                            "needs": s.needs,
                        }
                        for s in a.scores
                    ],
                },
                "assessed_by",
                a.by_id,
            )
            for a in assessments
        ],
        "meetings": [
            row(
                {
                    "about": WHOLE_FAMILY,
                    "mentions_by_name": _mentions(member, m.other_attendees, m.decisions),
                    "held_on": _iso(m.held_on),
                    "practitioners_attending": [t.name for t in m.attendees],
                    "other_attendees": m.other_attendees,
                    "decisions": m.decisions,
                    "next_review_on": _iso(m.next_review_on),
                },
                "recorded_by",
                m.by_id,
            )
            for m in meetings
        ],
        "reviews": [
            row(
                {
                    "about": WHOLE_FAMILY,
                    "mentions_by_name": _mentions(member, r.summary),
                    "reviewed_on": _iso(r.reviewed_on),
                    "summary": r.summary,
                    "next_review_on": _iso(r.next_review_on),
                },
                "recorded_by",
                r.by_id,
            )
            for r in reviews
        ],
        "referrals": [
            {
                "about": WHOLE_FAMILY,
                "mentions_by_name": _mentions(member, r.reason, *[t.note for t in r.transitions]),
                "provider": r.provider.name if r.provider else None,
                "reason": r.reason,
                "requested_on": _iso(r.requested_on),
                "state": r.state_label,
                "outcome": r.outcome_label or None,
                "steps": [
                    row({"to": t.state_label, "on": _iso(t.on), "note": t.note}, "by", t.by_id) for t in r.transitions
                ],
            }
            for r in referrals
        ],
        "care_levels": [
            row(
                {
                    "about": WHOLE_FAMILY,
                    "mentions_by_name": _mentions(member, c.note),
                    "changed_on": _iso(c.changed_on),
                    "change": c.direction,
                    "from_level": c.from_label or None,
                    "to_level": c.to_label,
                    "note": c.note,
                },
                "recorded_by",
                c.by_id,
            )
            for c in levels
        ],
    }
    return out


def _claims(member: Member, family_id: int) -> dict:
    lines = db.session.execute(
        select(ClaimLine, ClaimBatch.state, ClaimWindow.name)
        .join(ClaimBatch, ClaimBatch.id == ClaimLine.batch_id)
        .join(ClaimWindow, ClaimWindow.id == ClaimBatch.window_id)
        .where(ClaimLine.family_id == family_id)
        .order_by(ClaimWindow.as_of, ClaimLine.id)
    ).all()
    frozen = db.session.scalars(
        select(ClaimEvidence).where(ClaimEvidence.family_id == family_id).order_by(ClaimEvidence.id)
    ).all()
    kept = []
    for row in frozen:
        evidence = row.evidence or {}
        naming = {
            part: [entry for entry in evidence.get(part) or [] if entry.get("person_ref") == member.person_ref]
            for part in FROZEN_LISTS
        }
        if any(naming.values()):
            kept.append({"evaluation": row.evaluation_id, "as_of": evidence.get("as_of"), **naming})
    return {
        "claim_lines": [
            {
                "about": WHOLE_FAMILY,
                "claim_window": window,
                "claim": state,
                "result": line.outcome,
                "attachment_year": line.attachment_year,
                "amount_pounds": line.amount,
                "rule_set": line.rule_set,
                "reasons": line.reasons,
                "excluded": line.excluded,
                "exclusion_reason": line.exclusion_reason,
                "in_audit_sample": line.sampled,
                "audit_finding": line.audit_state,
                "audit_note": line.audit_note,
            }
            for line, state, window in lines
        ],
        "frozen_evidence": kept,
    }


def _results(member: Member, family_id: int, users: _Users) -> list[dict]:
    outcomes = db.session.scalars(
        select(VerifiedOutcome)
        .where(
            VerifiedOutcome.family_id == family_id,
            or_(VerifiedOutcome.member_id == member.id, VerifiedOutcome.member_id.is_(None)),
        )
        .order_by(VerifiedOutcome.achieved_on, VerifiedOutcome.id)
    ).all()
    found = []
    for o in outcomes:
        row = {
            "about": _about(o.member_id, member),
            "code": o.code,
            "outcome": o.title,
            "achieved_on": _iso(o.achieved_on),
            "evidence_note": o.evidence_note,
            "state": o.state_label,
            "decided_at": _iso(o.decided_at),
            "decision_note": o.decision_note,
        }
        users(row, "recorded_by", o.recorded_by_id)
        users(row, "decided_by", o.decided_by_id)
        found.append(row)
    return found


def _identification(family_id: int, users: _Users) -> list[dict]:
    criteria = db.session.scalars(
        select(FamilyCriterion)
        .where(FamilyCriterion.family_id == family_id)
        .order_by(FamilyCriterion.kind, FamilyCriterion.code)
    ).all()
    found = []
    for c in criteria:
        row = {
            "about": WHOLE_FAMILY,
            "kind": c.kind,
            "criterion": CRITERIA.get(c.kind, {}).get(c.code, c.code),
            "source": c.source,
            "confirmed_at": _iso(c.confirmed_at),
            "note": c.note,
        }
        users(row, "confirmed_by", c.confirmed_by_id)
        found.append(row)
    return found


def held_about(member: Member, exported_by=None) -> dict:
    """Everything held about the member, as plain JSON-ready values."""
    family = db.session.get(Family, member.family_id)
    users = _Users()
    held = {
        "format": "Families for Change subject access export",
        "version": VERSION,
        "exported_at": _iso(utcnow()),
        "exported_by": exported_by.name if exported_by is not None else None,
        "person": {
            "person_ref": member.person_ref,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "date_of_birth": _iso(member.date_of_birth),
            "sex": member.sex,
            "relationship": member.relationship,
            "upn": member.upn,
            "nino": member.nino,
        },
        "family": _family(family, users),
        "evidence": _evidence(member, users),
        "case_work": _case_work(member, family.id, users),
        "claims": _claims(member, family.id),
        "results": _results(member, family.id, users),
        "identification": _identification(family.id, users),
    }
    users.fill()
    return held


def counts(held: dict) -> dict[str, int]:
    """How many records each part holds, for the page and the README."""
    found = {}
    for part in ("evidence", "case_work", "claims"):
        for name, rows in held[part].items():
            found[f"{part}.{name}"] = len(rows)
    found["results"] = len(held["results"])
    found["identification"] = len(held["identification"])
    return found


def filename(member: Member) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in member.person_ref)
    return f"subject-access-{safe}.zip"


def as_zip(held: dict) -> bytes:
    """One ZIP: `person.json` (everything, structured) and `README.txt` (what each part is)."""
    person = held["person"]
    readme = README.format(
        exported_by=held["exported_by"] or "the system",
        exported_at=held["exported_at"],
        name=f"{person['first_name']} {person['last_name']}",
        person_ref=person["person_ref"],
        counts="\n".join(f"{name:<28}{n}" for name, n in counts(held).items()),
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("person.json", json.dumps(held, indent=2, ensure_ascii=False))
        archive.writestr("README.txt", readme)
    return buffer.getvalue()


def log_export(user, member: Member, held: dict) -> None:
    """The export is logged twice: in the family's access log (on its own connection) and in
    the audit trail, in a commit of its own since nothing else changes."""
    family = db.session.get(Family, member.family_id)
    log_view(user, family)
    record(
        "subject_access.export",
        "member",
        member.person_ref,
        f"Exported everything held about {member.person_ref} (family {family.reference}) for a subject access request",
        after={"family": family.reference, **counts(held)},
        user=user,
    )
    db.session.commit()
