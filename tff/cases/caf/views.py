"""The Family CAF pages: consent, assessment, priorities, screenings, the action plan, and Team
Around the Family meetings and reviews. Every page finds the family through the scoping
function and every record inside the family."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from tff.auth.models import User
from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.cases import casework
from tff.cases.access import get_family_or_404
from tff.cases.caf import operations, overdue
from tff.cases.caf import timeline as _timeline  # noqa: F401  (registers the CAF's timeline sources)
from tff.cases.caf.forms import (
    ActionForm,
    ConsentForm,
    EditActionForm,
    MeetingForm,
    PrioritiesForm,
    ReviewForm,
    WithdrawConsentForm,
    assessment_form,
    screening_form,
)
from tff.cases.caf.models import (
    ANSWERS,
    DOMAINS,
    PRIORITY_OWNERS,
    SCORES,
    SCREENINGS,
    Action,
    CafConsent,
    Screening,
)
from tff.cases.casework import form_page, in_family_or_404
from tff.cases.models import Member, TafMember
from tff.cases.operations import CaseError
from tff.cases.views import CASE_WORKERS
from tff.extensions import db
from tff.forms import show_problems

bp = Blueprint("caf", __name__, url_prefix="/families")


def _can_work() -> bool:
    return current_user.role in CASE_WORKERS


def _page(template: str, family, **context):
    """A page of the Family CAF: the family's sections, and a warning without current consent."""
    return render_template(
        template,
        family=family,
        consent=operations.current_consent(family),
        can_work=_can_work(),
        **context,
    )


def _apply(form, change, done: str, to: str):
    """Run an operation for a validated form: on success flash and redirect, on refusal put the
    problems on the form and return None for the view to show the form again."""
    try:
        change()
    except CaseError as exc:
        db.session.rollback()
        show_problems(form, exc.problems)
        return None
    flash(done, "success")
    return redirect(to)


def _members(family) -> list[Member]:
    return db.session.scalars(select(Member).where(Member.family_id == family.id).order_by(Member.date_of_birth)).all()


def _member_or_none(family, member_id, field: str) -> Member | None:
    """The chosen member of this family (none chosen: None); refused for anyone else."""
    if not member_id:
        return None
    member = db.session.get(Member, member_id)
    if member is None or member.family_id != family.id:
        raise CaseError({field: "Choose a member of this family"})
    return member


# --- The Family CAF page and consent -------------------------------------------------------


@bp.get("/<reference>/caf")
@role_required(ALL)
def index(reference: str):
    family = get_family_or_404(current_user, reference)
    history = operations.score_history(operations.assessments(family))
    consents = db.session.scalars(
        select(CafConsent).where(CafConsent.family_id == family.id).order_by(CafConsent.given_on.desc())
    ).all()
    return _page(
        "cases/caf/index.html",
        family,
        consents=consents,
        latest=history[0] if history else None,
        priorities=operations.priorities(family),
        priority_owners=PRIORITY_OWNERS,
        screenings=operations.screenings(family),
        screening_kinds=SCREENINGS,
        domains=DOMAINS,
        scores=SCORES,
    )


@bp.route("/<reference>/caf/consent", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def consent(reference: str):
    family = get_family_or_404(current_user, reference)
    form = ConsentForm()
    form.given_by.choices = [
        SelectChoice(m.id, f"{m.full_name} ({(m.relationship or 'member').replace('_', ' ')})")
        for m in _members(family)
    ] + [SelectChoice(0, "Someone else (name below)")]
    if form.validate_on_submit():

        def change():
            member = _member_or_none(family, form.given_by.data, "given_by")
            operations.record_consent(
                family,
                current_user,
                form.given_on.data,
                member,
                form.given_by_name.data,
                form.agencies.data or [],
                form.other_agencies.data,
                form.information.data or [],
            )

        done = _apply(form, change, "Consent has been recorded", url_for("caf.index", reference=reference))
        if done:
            return done
    return form_page(
        form,
        family,
        "Record the family's consent",
        back_url=url_for("caf.index", reference=reference),
        intro="Record what the family agreed to: who information may be shared with, and what kinds of information.",
    )


@bp.route("/<reference>/caf/consent/<int:consent_id>/withdraw", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def withdraw_consent(reference: str, consent_id: int):
    family = get_family_or_404(current_user, reference)
    consent = in_family_or_404(CafConsent, family, consent_id)
    form = WithdrawConsentForm()
    if form.validate_on_submit():
        done = _apply(
            form,
            lambda: operations.withdraw_consent(family, consent, current_user, form.withdrawn_on.data, form.note.data),
            "The withdrawal of consent has been recorded",
            url_for("caf.index", reference=reference),
        )
        if done:
            return done
    return form_page(
        form,
        family,
        "Record that consent was withdrawn",
        back_url=url_for("caf.index", reference=reference),
        intro=f"Consent given by {consent.given_by} on {consent.given_on:%-d %B %Y}.",
    )


# --- Assessment ----------------------------------------------------------------------------


@bp.get("/<reference>/caf/assessments")
@role_required(ALL)
def assessments(reference: str):
    family = get_family_or_404(current_user, reference)
    history = operations.score_history(operations.assessments(family))
    return _page("cases/caf/assessments.html", family, history=history, domains=DOMAINS, scores=SCORES)


@bp.route("/<reference>/caf/assessments/new", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def new_assessment(reference: str):
    family = get_family_or_404(current_user, reference)
    previous = next(iter(operations.assessments(family)), None)
    form = assessment_form()()
    if request.method == "GET":
        for s in previous.scores if previous else []:
            form[f"score_{s.domain}"].data = str(s.score)
            form[f"strengths_{s.domain}"].data = s.strengths
            form[f"needs_{s.domain}"].data = s.needs
    if form.validate_on_submit():
        domains = {
            code: {
                "score": form[f"score_{code}"].data,
                "strengths": form[f"strengths_{code}"].data,
                "needs": form[f"needs_{code}"].data,
            }
            for code in DOMAINS
        }
        done = _apply(
            form,
            lambda: operations.record_assessment(
                family, current_user, form.assessed_on.data, domains, form.summary.data
            ),
            "The assessment has been saved",
            url_for("caf.assessments", reference=reference),
        )
        if done:
            return done
    return render_template(
        "cases/caf/assessment_form.html",
        form=form,
        family=family,
        previous=previous,
        domains=DOMAINS,
        heading="Assess the family's strengths and needs",
        caption=f"Family {family.reference}",
        back_url=url_for("caf.assessments", reference=reference),
    )


# --- Priorities ----------------------------------------------------------------------------


@bp.route("/<reference>/caf/priorities", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def priorities(reference: str):
    family = get_family_or_404(current_user, reference)
    form = PrioritiesForm()
    if request.method == "GET":
        for whose, items in operations.priorities(family).items():
            form[whose].data = "\n".join(p.text for p in items)
    if form.validate_on_submit():
        lists = {whose: casework.lines(form[whose].data) for whose in PRIORITY_OWNERS}
        done = _apply(
            form,
            lambda: operations.set_priorities(family, current_user, lists),
            "The priorities have been saved",
            url_for("caf.index", reference=reference),
        )
        if done:
            return done
    return form_page(
        form,
        family,
        "Priorities",
        back_url=url_for("caf.index", reference=reference),
        intro="Keep the family's own priorities and the programme's apart: "
        "the family's are what they want to change, in their words.",
    )


# --- Screenings ----------------------------------------------------------------------------


@bp.route("/<reference>/caf/screenings/<kind>/new", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def new_screening(reference: str, kind: str):
    family = get_family_or_404(current_user, reference)
    if kind not in SCREENINGS:
        abort(404)
    form = screening_form(kind)()
    form.member.choices = [SelectChoice(0, "The whole family")] + [
        SelectChoice(m.id, m.full_name) for m in _members(family)
    ]
    if form.validate_on_submit():
        questions = SCREENINGS[kind]["questions"]

        def change():
            operations.record_screening(
                family,
                current_user,
                kind,
                form.completed_on.data,
                {code: form[f"q_{code}"].data for code in questions},
                form.outcome.data,
                form.outcome_note.data,
                _member_or_none(family, form.member.data, "member"),
                form.completed_with.data,
            )

        done = _apply(form, change, "The screening has been saved", url_for("caf.index", reference=reference))
        if done:
            return done
    return render_template(
        "cases/caf/screening_form.html",
        form=form,
        family=family,
        questions=SCREENINGS[kind]["questions"],
        heading=SCREENINGS[kind]["title"],
        caption=f"Family {family.reference}",
        back_url=url_for("caf.index", reference=reference),
    )


@bp.get("/<reference>/caf/screenings/<int:screening_id>")
@role_required(ALL)
def screening(reference: str, screening_id: int):
    family = get_family_or_404(current_user, reference)
    found = in_family_or_404(Screening, family, screening_id)
    return _page(
        "cases/caf/screening.html",
        family,
        screening=found,
        questions=SCREENINGS[found.kind]["questions"],
        answers=ANSWERS,
    )


# --- The action plan -----------------------------------------------------------------------


def _owner_choices(form) -> None:
    colleagues = db.session.scalars(
        select(User).where(User.role.in_(list(CASE_WORKERS)), User.active).order_by(User.name)
    ).all()
    form.owner_user.choices = [SelectChoice(0, "Nobody in particular")] + [
        SelectChoice(u.id, f"{u.name} ({u.role_name})") for u in colleagues
    ]


def _owner_user(form):
    return db.session.get(User, form.owner_user.data) if form.owner_user.data else None


@bp.get("/<reference>/plan")
@role_required(ALL)
def plan(reference: str):
    family = get_family_or_404(current_user, reference)
    due = overdue.for_family(family)
    return _page(
        "cases/caf/plan.html",
        family,
        actions=operations.actions(family),
        overdue_ids={a.id for a in due.actions},
    )


@bp.route("/<reference>/plan/new", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def new_action(reference: str):
    family = get_family_or_404(current_user, reference)
    form = ActionForm()
    _owner_choices(form)
    if form.validate_on_submit():
        done = _apply(
            form,
            lambda: operations.add_action(
                family,
                current_user,
                form.description.data,
                form.due_on.data,
                owner=form.owner.data,
                owner_user=_owner_user(form),
                domain=form.domain.data,
                agreed_on=form.agreed_on.data,
            ),
            "The action has been added to the plan",
            url_for("caf.plan", reference=reference),
        )
        if done:
            return done
    return form_page(form, family, "Add an action to the plan", back_url=url_for("caf.plan", reference=reference))


@bp.route("/<reference>/plan/<int:action_id>", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def action(reference: str, action_id: int):
    family = get_family_or_404(current_user, reference)
    found = in_family_or_404(Action, family, action_id)
    form = EditActionForm(obj=found)
    _owner_choices(form)
    if request.method == "GET":
        form.owner_user.data = found.owner_user_id or 0
        form.domain.data = found.domain or ""
    if form.validate_on_submit():
        done = _apply(
            form,
            lambda: operations.update_action(
                family,
                found,
                current_user,
                form.description.data,
                form.due_on.data,
                form.status.data,
                owner=form.owner.data,
                owner_user=_owner_user(form),
                domain=form.domain.data,
                agreed_on=form.agreed_on.data,
            ),
            "The action has been saved",
            url_for("caf.plan", reference=reference),
        )
        if done:
            return done
    return form_page(form, family, "Change the action", back_url=url_for("caf.plan", reference=reference))


@bp.post("/<reference>/plan/<int:action_id>/done")
@role_required(CASE_WORKERS)
def action_done(reference: str, action_id: int):
    family = get_family_or_404(current_user, reference)
    found = in_family_or_404(Action, family, action_id)
    try:
        operations.mark_action_done(family, found, current_user)
    except CaseError as exc:
        db.session.rollback()
        flash(str(exc), "info")
    else:
        flash(f"Done: {found.description}", "success")
    return redirect(url_for("caf.plan", reference=reference))


# --- Team Around the Family meetings and reviews -------------------------------------------


@bp.get("/<reference>/meetings")
@role_required(ALL)
def meetings(reference: str):
    family = get_family_or_404(current_user, reference)
    return _page(
        "cases/caf/meetings.html",
        family,
        records=operations.meetings_and_reviews(family),
        review_due=overdue.for_family(family).review_due,
    )


@bp.route("/<reference>/meetings/new", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def new_meeting(reference: str):
    family = get_family_or_404(current_user, reference)
    form = MeetingForm()
    team = db.session.scalars(
        select(TafMember)
        .where(TafMember.family_id == family.id)
        .order_by(TafMember.left_on.is_not(None), TafMember.name)
    ).all()
    form.attendees.choices = [
        SelectChoice(
            m.id,
            ", ".join(x for x in (m.name, m.agency, m.role) if x)
            + (f" (left the team {m.left_on.day} {m.left_on:%b %Y})" if m.left_on else ""),
        )
        for m in team
    ]
    if form.validate_on_submit():
        done = _apply(
            form,
            lambda: operations.record_meeting(
                family,
                current_user,
                form.held_on.data,
                form.attendees.data or [],
                form.other_attendees.data,
                form.decisions.data,
                form.next_review_on.data,
            ),
            "The meeting has been recorded",
            url_for("caf.meetings", reference=reference),
        )
        if done:
            return done
    intro = None if team else "Nobody is on the family's Team Around the Family yet: name who attended below."
    return form_page(
        form,
        family,
        "Record a Team Around the Family meeting",
        back_url=url_for("caf.meetings", reference=reference),
        intro=intro,
    )


@bp.route("/<reference>/reviews/new", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def new_review(reference: str):
    family = get_family_or_404(current_user, reference)
    form = ReviewForm()
    if form.validate_on_submit():
        done = _apply(
            form,
            lambda: operations.record_review(
                family, current_user, form.reviewed_on.data, form.summary.data, form.next_review_on.data
            ),
            "The review has been recorded",
            url_for("caf.meetings", reference=reference),
        )
        if done:
            return done
    return form_page(form, family, "Record a review", back_url=url_for("caf.meetings", reference=reference))


# --- What is overdue, for the family page and the home pages --------------------------------


@bp.app_template_global("family_overdue")
def family_overdue(family):
    """What is overdue in this family's plan (nothing once the case is closed), for the family
    page, which found the family through the scoping function:
    `{% include "cases/caf/_overdue.html" %}` shows it."""
    return overdue.for_family(family)


@bp.app_template_global("my_overdue_work")
def my_overdue_work():
    """The signed-in user's overdue actions and reviews, for their home page."""
    return overdue.for_user(current_user)
