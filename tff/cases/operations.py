"""Changing families and their members. Each function checks the change, makes it, writes
the audit trail in the same transaction and commits; a refused change raises CaseError and
changes nothing."""

from datetime import date

from sqlalchemy import func, select

from tff.audit.operations import record
from tff.cases.access import visible_families
from tff.cases.eligibility import family_eligibility
from tff.cases.models import (
    ATTACHED,
    CLOSED,
    CLOSURE_REASONS,
    IDENTIFIED,
    PROGRAMMES,
    Family,
    FamilyStatusChange,
    LeadWorkerAssignment,
    Member,
    TafMember,
)
from tff.cases.validation import (
    nino_problem,
    normalise_nino,
    normalise_postcode,
    normalise_upn,
    postcode_problem,
    reference_problem,
    upn_problem,
)
from tff.extensions import db
from tff.timeutil import utcnow


class CaseError(ValueError):
    """A refused change; `problems` maps a form field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def _status_change(family: Family, to_status: str, on: date, by, reason: str | None = None) -> None:
    db.session.add(
        FamilyStatusChange(
            family_id=family.id,
            from_status=family.status if family.id else None,
            to_status=to_status,
            effective_on=on,
            reason=reason,
            by_id=by.id if by else None,
        )
    )


def identify_family(reference: str, programme: str, identified_on: date, by, postcode=None, address=None) -> Family:
    reference = reference.strip()
    problems = {}
    if problem := reference_problem(reference, "The family reference"):
        problems["reference"] = problem
    elif db.session.scalar(select(Family.id).where(Family.reference == reference)):
        problems["reference"] = f"There is already a family with the reference {reference}"
    if programme not in PROGRAMMES:
        problems["programme"] = "Choose the programme"
    postcode = normalise_postcode(postcode)
    if problem := postcode_problem(postcode):
        problems["postcode"] = problem
    if identified_on > date.today():
        problems["identified_on"] = "The date identified must be today or in the past"
    if problems:
        raise CaseError(problems)
    family = Family(
        reference=reference,
        programme=programme,
        status=IDENTIFIED,
        identified_on=identified_on,
        postcode=postcode,
        address=(address or "").strip() or None,
    )
    db.session.add(family)
    db.session.flush()
    db.session.add(
        FamilyStatusChange(family_id=family.id, to_status=IDENTIFIED, effective_on=identified_on, by_id=by.id)
    )
    record(
        "family.identify", "family", reference, f"Identified family {reference}", after=family.audit_state(), user=by
    )
    db.session.commit()
    return family


def update_details(family: Family, by, programme: str, identified_on: date | None, postcode, address) -> Family:
    before = family.audit_state()
    postcode = normalise_postcode(postcode)
    problems = {}
    if programme not in PROGRAMMES:
        problems["programme"] = "Choose the programme"
    if problem := postcode_problem(postcode):
        problems["postcode"] = problem
    if identified_on and family.attached_on and identified_on > family.attached_on:
        problems["identified_on"] = "The date identified must be on or before the attachment date"
    if problems:
        raise CaseError(problems)
    family.programme, family.identified_on = programme, identified_on
    family.postcode, family.address = postcode, (address or "").strip() or None
    _audit_family(family, "family.update", f"Changed the details of family {family.reference}", before, by)
    db.session.commit()
    return family


def _audit_family(family: Family, action: str, summary: str, before: dict, by) -> None:
    record(action, "family", family.reference, summary, before=before, after=family.audit_state(), user=by)


def not_eligible_problem(family: Family, why: str) -> str:
    """What a refused attachment says: why the family is not eligible, and what would let it be attached."""
    return (
        f"Family {family.reference} is not eligible for {family.programme_label} on its confirmed criteria: "
        f"it {why}. Confirm its criteria, or say why it is being attached anyway"
    )


def attach(family: Family, on: date, by, override: str | None = None) -> Family:
    """Attach the family on `on`. A family not eligible on its confirmed criteria is attached
    only with the coordinator's reason (`override`), kept on the family and in the audit trail:
    its attachment fee and claims rest on it."""
    if family.status != IDENTIFIED:
        raise CaseError({"attached_on": f"Only an identified family can be attached; this one is {family.status}"})
    if family.identified_on and on < family.identified_on:
        raise CaseError({"attached_on": "The attachment date must be on or after the date the family was identified"})
    if on > date.today():
        raise CaseError({"attached_on": "The attachment date must be today or in the past"})
    eligibility = family_eligibility(family)
    override = (override or "").strip() or None
    if not eligibility.eligible and override is None:
        raise CaseError({"override_reason": not_eligible_problem(family, eligibility.why)})
    if override and len(override) > 500:
        raise CaseError({"override_reason": "The reason must be 500 characters or fewer"})
    before = family.audit_state()
    _status_change(family, ATTACHED, on, by, None if eligibility.eligible else f"Not eligible: {override}"[:500])
    family.status, family.attached_on = ATTACHED, on
    summary = f"Attached family {family.reference} on {on:%d %B %Y}"
    if not eligibility.eligible:
        family.attach_override_reason = override
        family.attach_override_by_id = by.id if by else None
        family.attach_override_at = utcnow()
        summary += f" without meeting the criteria (it {eligibility.why}): {override}"
    after = family.audit_state()
    if not eligibility.eligible:
        before = {**before, "attach_override_reason": None}
        after = {**after, "attach_override_reason": override, "eligibility": eligibility.why}
    record("family.attach", "family", family.reference, summary, before=before, after=after, user=by)
    db.session.commit()
    return family


def close_problems(family: Family, on: date | None, reason: str | None) -> dict[str, str]:
    """What stops the case closing on that day for that reason: asked by `close`, and by a
    proposal to close (`tff.cases.signoff`), so one that could never be approved is refused."""
    problems = {}
    if family.status == CLOSED:
        problems["closed_on"] = "The family's case is already closed"
    if reason not in CLOSURE_REASONS:
        problems["reason"] = "Choose why the case is closing"
    if on is None:
        problems["closed_on"] = "Enter the date the case closed"
        return problems
    start = family.attached_on or family.identified_on
    if start and on < start:
        problems["closed_on"] = f"The closure date must be on or after {start:%d %B %Y}"
    if on > date.today():
        problems["closed_on"] = "The closure date must be today or in the past"
    return problems


def close(family: Family, on: date, reason: str, by) -> Family:
    if problems := close_problems(family, on, reason):
        raise CaseError(problems)
    before = family.audit_state()
    _status_change(family, CLOSED, on, by, reason)
    family.status, family.closed_on, family.closure_reason = CLOSED, on, reason
    _audit_family(
        family, "family.close", f"Closed the case of family {family.reference}: {CLOSURE_REASONS[reason]}", before, by
    )
    db.session.commit()
    return family


def reopen(family: Family, on: date, reason: str, by) -> Family:
    if family.status != CLOSED:
        raise CaseError({"reason": "Only a closed case can be reopened"})
    if not reason.strip():
        raise CaseError({"reason": "Say why the case is reopening"})
    if family.closed_on and on < family.closed_on:
        raise CaseError({"reopened_on": "The date must be on or after the closure date"})
    before = family.audit_state()
    to_status = ATTACHED if family.attached_on else IDENTIFIED
    _status_change(family, to_status, on, by, f"Reopened: {reason.strip()}")
    family.status, family.closed_on, family.closure_reason = to_status, None, None
    _audit_family(family, "family.reopen", f"Reopened the case of family {family.reference}", before, by)
    db.session.commit()
    return family


def open_caseload(user_ids) -> dict[int, int]:
    """Open cases (identified or attached) led by each of these users, in one query."""
    rows = db.session.execute(
        select(Family.lead_worker_id, func.count())
        .where(Family.lead_worker_id.in_(list(user_ids)), Family.status != CLOSED)
        .group_by(Family.lead_worker_id)
    ).all()
    return {user_id: n for user_id, n in rows}


def caseload_warnings(worker) -> list[str]:
    """What would be over its limit if this worker took one more family."""
    from tff.auth.models import User

    warnings = []
    held = open_caseload([worker.id]).get(worker.id, 0)
    limit = worker.max_caseload or (worker.team.max_per_worker if worker.team else None)
    if limit is not None and held + 1 > limit:
        warnings.append(f"{worker.name} already holds {held} open cases; the most they should hold is {limit}")
    if worker.team and worker.team.max_open_cases is not None:
        team_ids = db.session.scalars(select(User.id).where(User.team_id == worker.team_id)).all()
        team_held = sum(open_caseload(team_ids).values())
        if team_held + 1 > worker.team.max_open_cases:
            warnings.append(
                f"{worker.team.name} already holds {team_held} open cases; its capacity is {worker.team.max_open_cases}"
            )
    return warnings


def assign_lead_worker(family: Family, worker, on: date, reason: str | None, by) -> Family:
    if worker.role not in ("lead_worker", "coordinator") or not worker.active:
        raise CaseError({"lead_worker": "A lead worker must be an active lead worker or coordinator"})
    if family.lead_worker_id == worker.id:
        raise CaseError({"lead_worker": f"{worker.name} is already the family's lead worker"})
    before = family.audit_state()
    current = db.session.scalar(
        select(LeadWorkerAssignment).where(
            LeadWorkerAssignment.family_id == family.id, LeadWorkerAssignment.ended_on.is_(None)
        )
    )
    if current:
        current.ended_on = on
    db.session.add(
        LeadWorkerAssignment(
            family_id=family.id, user_id=worker.id, started_on=on, reason=(reason or "").strip() or None, by_id=by.id
        )
    )
    family.lead_worker_id = worker.id
    _audit_family(
        family, "family.assign_lead_worker", f"{worker.name} is now lead worker for {family.reference}", before, by
    )
    db.session.commit()
    return family


def save_member(family: Family, by, member: Member | None = None, **fields) -> Member:
    """Add a member to the family, or change one."""
    fields["upn"] = normalise_upn(fields.get("upn"))
    fields["nino"] = normalise_nino(fields.get("nino"))
    fields["person_ref"] = (fields.get("person_ref") or "").strip()
    problems = {}
    for field, problem in (("upn", upn_problem(fields["upn"])), ("nino", nino_problem(fields["nino"]))):
        if problem:
            problems[field] = problem
    # A member stored before references were checked keeps theirs; a new or changed one is checked.
    changed_ref = member is None or fields["person_ref"] != member.person_ref
    if changed_ref and (problem := reference_problem(fields["person_ref"], "The person reference")):
        problems["person_ref"] = problem
    if fields["date_of_birth"] and fields["date_of_birth"] > date.today():
        problems["date_of_birth"] = "Date of birth must be in the past"
    others = select(Member).where(Member.id != member.id) if member else select(Member)
    for field, label in (("person_ref", "person reference"), ("upn", "UPN"), ("nino", "National Insurance number")):
        value = fields[field]
        if value and field not in problems:
            holder = db.session.scalar(others.where(getattr(Member, field) == value))
            if holder:
                problems[field] = _held_already(label, value, holder, by)
    if problems:
        raise CaseError(problems)
    before = member.audit_state() if member else None
    if member is None:
        member = Member(family_id=family.id)
        db.session.add(member)
    for field, value in fields.items():
        setattr(member, field, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    action = "member.update" if before else "member.add"
    summary = (
        f"{'Changed' if before else 'Added'} {member.full_name} ({member.person_ref}) in family {family.reference}"
    )
    record(action, "member", member.person_ref, summary, before=before, after=member.audit_state(), user=by)
    db.session.commit()
    return member


def _held_already(label: str, value: str, holder: Member, by) -> str:
    """Why a value held by another member cannot be given again: naming who holds it only to
    someone who may see that member's family, so the message never tells a lead worker which
    family, of those they cannot see, holds a National Insurance number or a UPN."""
    if db.session.scalar(visible_families(by).where(Family.id == holder.family_id).with_only_columns(Family.id)):
        return f"The {label} {value} belongs to {holder.person_ref} already"
    return f"This {label} is already held for another member; a coordinator can find it"


def next_person_ref(family: Family) -> str:
    """The next free reference in the family's series: F001-01, F001-02, ..."""
    taken = set(db.session.scalars(select(Member.person_ref).where(Member.person_ref.like(f"{family.reference}-%"))))
    n = 1
    while f"{family.reference}-{n:02d}" in taken:
        n += 1
    return f"{family.reference}-{n:02d}"


def add_taf_member(
    family: Family, by, name: str, agency: str | None, role: str | None, user=None, on=None
) -> TafMember:
    if user is not None:
        already = db.session.scalar(
            select(TafMember.id).where(
                TafMember.family_id == family.id, TafMember.user_id == user.id, TafMember.left_on.is_(None)
            )
        )
        if already:
            raise CaseError({"user": f"{user.name} is already on the Team Around the Family"})
    member = TafMember(
        family_id=family.id,
        user_id=user.id if user else None,
        name=(user.name if user and not name.strip() else name.strip()),
        agency=(agency or "").strip() or None,
        role=(role or "").strip() or None,
        joined_on=on or date.today(),
    )
    if not member.name:
        raise CaseError({"name": "Enter the practitioner's name"})
    db.session.add(member)
    db.session.flush()
    record(
        "family.taf.add",
        "family",
        family.reference,
        f"{member.name} joined the Team Around the Family of {family.reference}",
        after={"name": member.name, "agency": member.agency, "role": member.role, "user_id": member.user_id},
        user=by,
    )
    db.session.commit()
    return member


def remove_taf_member(family: Family, taf_member: TafMember, by, on=None) -> None:
    taf_member.left_on = on or date.today()
    record(
        "family.taf.leave",
        "family",
        family.reference,
        f"{taf_member.name} left the Team Around the Family of {family.reference}",
        before={"left_on": None},
        after={"left_on": taf_member.left_on},
        user=by,
    )
    db.session.commit()


def save_team(team, by, name: str, max_open_cases: int | None, max_per_worker: int | None):
    """Add a team of lead workers, or change one, with its caseload limits."""
    from tff.cases.models import Team

    name = name.strip()
    problems = {}
    clash = db.session.scalar(select(Team).where(Team.name == name, Team.id != (team.id if team else 0)))
    if clash:
        problems["name"] = f"There is already a team called {name}"
    for field, value in (("max_open_cases", max_open_cases), ("max_per_worker", max_per_worker)):
        if value is not None and value < 1:
            problems[field] = "A limit must be 1 or more, or left empty for no limit"
    if problems:
        raise CaseError(problems)
    before = None
    if team is None:
        team = Team()
        db.session.add(team)
    else:
        before = {"name": team.name, "max_open_cases": team.max_open_cases, "max_per_worker": team.max_per_worker}
    team.name, team.max_open_cases, team.max_per_worker = name, max_open_cases, max_per_worker
    db.session.flush()
    after = {"name": team.name, "max_open_cases": team.max_open_cases, "max_per_worker": team.max_per_worker}
    record(
        "team.save",
        "team",
        team.id,
        f"{'Changed' if before else 'Added'} team {name}",
        before=before,
        after=after,
        user=by,
    )
    db.session.commit()
    return team
