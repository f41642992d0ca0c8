"""Families: the list, the family page and the steps of a case."""

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import Headers
from wtforms.fields.choices import SelectChoice

from tff.auth import roles
from tff.auth.models import User
from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.cases import operations, safeguarding
from tff.cases.access import get_family_or_404
from tff.cases.casework import form_page
from tff.cases.eligibility import family_eligibility
from tff.cases.forms import (
    AttachForm,
    EditFamilyForm,
    FamilyForm,
    LeadWorkerForm,
    MemberForm,
    ReopenForm,
    TafMemberForm,
    TeamForm,
)
from tff.cases.models import (
    CLOSURE_REASONS,
    FamilyStatusChange,
    LeadWorkerAssignment,
    Member,
    TafMember,
    Team,
)
from tff.cases.operations import CaseError
from tff.cases.search import PAGE_SIZE, FamilyFilters, criterion_groups, csv_rows, page_items, page_of_families
from tff.cases.signoff.forms import ProposeClosureForm
from tff.cases.signoff.operations import latest as latest_sign_offs
from tff.cases.signoff.operations import propose_closure
from tff.exports import csv_text
from tff.extensions import db
from tff.forms import show_problems
from tff.identification.criteria import family_criteria

bp = Blueprint("cases", __name__, url_prefix="/families")
# Every page of a family shows its safeguarding flags (cases/_safeguarding.html, from the layout).
bp.add_app_template_global(safeguarding.flags_for_family, "family_flags")
# ... and a list its rows' flags, for lists whose view does not pass them (ids already scoped).
bp.add_app_template_global(safeguarding.flags_for, "safeguarding_flags")

#: who does what to a case
COORDINATORS = {roles.COORDINATOR}
CASE_WORKERS = {roles.COORDINATOR, roles.LEAD_WORKER}


def _lead_workers():
    return db.session.scalars(
        select(User).where(User.role.in_(list(CASE_WORKERS)), User.active).order_by(User.name)
    ).all()


@bp.get("/")
@role_required(ALL)
def index():
    groups = criterion_groups()
    filters = FamilyFilters.from_args(request.args, groups)
    families, total, members = page_of_families(current_user, filters)
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    return render_template(
        "cases/index.html",
        families=families,
        total=total,
        members=members,
        flags=safeguarding.flags_for([family.id for family in families]),
        filters=filters,
        pages=pages,
        page_items=page_items(filters, pages),
        workers=_lead_workers() if current_user.role != roles.LEAD_WORKER else [],
        criterion_groups=groups,
    )


@bp.get("/families.csv")
@role_required(ALL)
def index_csv():
    """Every family the list's filters find, not only the page shown, for a spreadsheet: the
    same scoping as the list (`visible_families`), streamed, and logged as a download of many
    families' data (`FAMILY_DATA_DOWNLOADS`). A reference holds no dot, so no family's own
    address is shadowed."""
    filters = FamilyFilters.from_args(request.args)
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename="families.csv")
    body = csv_text(csv_rows(current_user, filters))
    return Response(stream_with_context(body), mimetype="text/csv; charset=utf-8", headers=headers)


@bp.route("/new", methods=["GET", "POST"])
@role_required(COORDINATORS)
def new():
    form = FamilyForm()
    if form.validate_on_submit():
        try:
            family = operations.identify_family(
                form.reference.data,
                form.programme.data,
                form.identified_on.data,
                current_user,
                form.postcode.data,
                form.address.data,
            )
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"Family {family.reference} has been identified", "success")
            return redirect(url_for("cases.show", reference=family.reference))
    return form_page(form, None, "Identify a family")


@bp.get("/<reference>")
@role_required(ALL)
def show(reference: str):
    family = get_family_or_404(current_user, reference)
    taf = db.session.scalars(
        select(TafMember)
        .where(TafMember.family_id == family.id, TafMember.left_on.is_(None))
        .order_by(TafMember.joined_on)
    ).all()
    history = db.session.scalars(
        select(FamilyStatusChange).where(FamilyStatusChange.family_id == family.id).order_by(FamilyStatusChange.id)
    ).all()
    assignments = db.session.scalars(
        select(LeadWorkerAssignment)
        .where(LeadWorkerAssignment.family_id == family.id)
        .order_by(LeadWorkerAssignment.id.desc())
    ).all()
    return render_template(
        "cases/family.html",
        family=family,
        taf=taf,
        history=history,
        assignments=assignments,
        today=date.today(),
        closure_reasons=CLOSURE_REASONS,
        criteria=family_criteria(family),
        can_coordinate=current_user.role in COORDINATORS,
        can_work=current_user.role in CASE_WORKERS,
        sign_offs=latest_sign_offs(family),
    )


@bp.route("/<reference>/edit", methods=["GET", "POST"])
@role_required(COORDINATORS)
def edit(reference: str):
    family = get_family_or_404(current_user, reference)
    form = EditFamilyForm(obj=family)
    if form.validate_on_submit():
        try:
            operations.update_details(
                family,
                current_user,
                form.programme.data,
                form.identified_on.data,
                form.postcode.data,
                form.address.data,
            )
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash("The family's details have been saved", "success")
            return redirect(url_for("cases.show", reference=family.reference))
    return form_page(form, family, "Change the family's details")


def _step(reference: str, form_class, heading: str, apply, done: str, prefill=None, intro=None):
    """A lifecycle step: one form, one operation, back to the family page."""
    family = get_family_or_404(current_user, reference)
    form = form_class()
    if request.method == "GET" and prefill:
        prefill(form, family)
    if form.validate_on_submit():
        try:
            apply(family, form)
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(done.format(family=family), "success")
            return redirect(url_for("cases.show", reference=family.reference))
    return form_page(form, family, heading, intro=intro)


@bp.route("/<reference>/attach", methods=["GET", "POST"])
@role_required(COORDINATORS)
def attach(reference: str):
    """A family not eligible on its confirmed criteria is attached only with a recorded reason:
    the form asks for one, and says why, only then."""
    family = get_family_or_404(current_user, reference)
    eligibility = family_eligibility(family)
    form = AttachForm()
    warnings = []
    if eligibility.eligible:
        del form.override_reason
    else:
        warnings.append(operations.not_eligible_problem(family, eligibility.why))
    if form.validate_on_submit():
        try:
            override = form.override_reason.data if not eligibility.eligible else None
            operations.attach(family, form.attached_on.data, current_user, override=override)
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"Family {family.reference} is attached", "success")
            return redirect(url_for("cases.show", reference=family.reference))
    return form_page(
        form,
        family,
        "Attach the family",
        intro="Attaching starts the intervention. The attachment fee and the family's results count from this date.",
        warnings=warnings,
    )


@bp.route("/<reference>/close", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def close(reference: str):
    """Closing waits for a manager's sign-off: this proposes it, and nothing changes yet."""
    return _step(
        reference,
        ProposeClosureForm,
        "Propose closing the case",
        lambda family, form: propose_closure(family, form.closed_on.data, form.reason.data, current_user),
        "Closing the case of family {family.reference} is proposed: it waits for a manager",
        intro="A manager approves the closure before the case closes.",
    )


@bp.route("/<reference>/reopen", methods=["GET", "POST"])
@role_required(COORDINATORS)
def reopen(reference: str):
    return _step(
        reference,
        ReopenForm,
        "Reopen the case",
        lambda family, form: operations.reopen(family, form.reopened_on.data, form.reason.data, current_user),
        "The case of family {family.reference} is open again",
    )


@bp.route("/<reference>/lead-worker", methods=["GET", "POST"])
@role_required(COORDINATORS)
def lead_worker(reference: str):
    family = get_family_or_404(current_user, reference)
    workers = _lead_workers()
    form = LeadWorkerForm()
    caseloads = operations.open_caseload(w.id for w in workers)
    form.lead_worker.choices = [SelectChoice(0, "Choose a lead worker")] + [
        SelectChoice(w.id, f"{w.name} ({caseloads.get(w.id, 0)} open cases{', ' + w.team.name if w.team else ''})")
        for w in workers
    ]
    if request.method == "GET" and family.lead_worker_id:
        form.lead_worker.data = family.lead_worker_id
    warnings = []
    if form.validate_on_submit():
        worker = db.session.get(User, form.lead_worker.data) if form.lead_worker.data else None
        if worker is None:
            form.lead_worker.errors = ["Choose a lead worker"]
        else:
            warnings = operations.caseload_warnings(worker)
            if warnings and not form.confirm_over_limit.data:
                form.confirm_over_limit.errors = [
                    "Tick the box to assign above the caseload limit, or choose someone else"
                ]
            else:
                try:
                    operations.assign_lead_worker(family, worker, date.today(), form.reason.data, current_user)
                except CaseError as exc:
                    db.session.rollback()
                    show_problems(form, exc.problems)
                else:
                    flash(f"{worker.name} is now the lead worker for {family.reference}", "success")
                    for warning in warnings:
                        flash(f"Above the caseload limit: {warning}", "info")
                    return redirect(url_for("cases.show", reference=family.reference))
    return form_page(form, family, "Choose the lead worker", warnings=warnings)


def _member_or_404(family, person_ref: str) -> Member:
    member = db.session.scalar(select(Member).where(Member.family_id == family.id, Member.person_ref == person_ref))
    if member is None:
        abort(404)
    return member


@bp.route("/<reference>/members/new", methods=["GET", "POST"])
@bp.route("/<reference>/members/<person_ref>", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def member(reference: str, person_ref: str | None = None):
    family = get_family_or_404(current_user, reference)
    member = _member_or_404(family, person_ref) if person_ref else None
    form = MemberForm(obj=member)
    if request.method == "GET" and member is None:
        form.person_ref.data = operations.next_person_ref(family)
    if form.validate_on_submit():
        fields = {
            name: form[name].data or None
            for name in ("person_ref", "first_name", "last_name", "date_of_birth", "sex", "upn", "nino", "relationship")
        }
        try:
            saved = operations.save_member(family, current_user, member, **fields)
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"{saved.full_name} has been saved", "success")
            return redirect(url_for("cases.show", reference=family.reference))
    return form_page(form, family, f"Change {member.full_name}" if member else "Add a family member")


@bp.route("/<reference>/team", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def team(reference: str):
    family = get_family_or_404(current_user, reference)
    form = TafMemberForm()
    colleagues = db.session.scalars(select(User).where(User.active).order_by(User.name)).all()
    form.user.choices = [SelectChoice(0, "Not a user of this system")] + [
        SelectChoice(u.id, f"{u.name} ({u.role_name})") for u in colleagues
    ]
    if form.validate_on_submit():
        user = db.session.get(User, form.user.data) if form.user.data else None
        try:
            operations.add_taf_member(
                family, current_user, form.name.data or "", form.agency.data, form.role.data, user
            )
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash("Added to the Team Around the Family", "success")
            return redirect(url_for("cases.show", reference=family.reference))
    return form_page(
        form,
        family,
        "Add to the Team Around the Family",
        intro="A colleague who uses this system can see the family's case once they are on its team.",
    )


@bp.post("/<reference>/team/<int:taf_id>/leave")
@role_required(CASE_WORKERS)
def team_leave(reference: str, taf_id: int):
    family = get_family_or_404(current_user, reference)
    taf_member = db.session.get(TafMember, taf_id)
    if taf_member is None or taf_member.family_id != family.id or taf_member.left_on:
        abort(404)
    operations.remove_taf_member(family, taf_member, current_user)
    flash(f"{taf_member.name} has left the Team Around the Family", "success")
    return redirect(url_for("cases.show", reference=family.reference))


@bp.get("/caseloads")
@role_required(roles.COORDINATOR, roles.MANAGER, roles.ADMIN)
def caseloads():
    workers = _lead_workers()
    held = operations.open_caseload(w.id for w in workers)
    teams: dict = {}
    for worker in workers:
        if worker.team:
            teams.setdefault(worker.team, 0)
            teams[worker.team] += held.get(worker.id, 0)
    flagged = safeguarding.flagged_by_lead_worker(w.id for w in workers)
    return render_template("cases/caseloads.html", workers=workers, held=held, teams=teams, flagged=flagged)


teams_bp = Blueprint("teams", __name__, url_prefix="/admin/teams")


@teams_bp.get("/")
@role_required(roles.ADMIN)
def teams():
    return render_template("cases/teams.html", teams=db.session.scalars(select(Team).order_by(Team.name)).all())


@teams_bp.route("/new", methods=["GET", "POST"])
@teams_bp.route("/<int:team_id>", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def team_form(team_id: int | None = None):
    team = db.session.get(Team, team_id) if team_id else None
    if team_id and team is None:
        abort(404)
    form = TeamForm(obj=team)
    if form.validate_on_submit():
        try:
            operations.save_team(team, current_user, form.name.data, form.max_open_cases.data, form.max_per_worker.data)
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"Team {form.name.data.strip()} has been saved", "success")
            return redirect(url_for("teams.teams"))
    return render_template(
        "form_page.html",
        form=form,
        heading=f"Change {team.name}" if team else "Add a team",
        back_url=url_for("teams.teams"),
    )
