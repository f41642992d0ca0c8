"""The family's "Verified outcomes" section, and the managers' queue of outcomes to decide."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.cases.access import get_family_or_404
from tff.cases.casework import form_page, in_family_or_404
from tff.cases.operations import CaseError
from tff.cases.views import CASE_WORKERS
from tff.extensions import db
from tff.forms import show_problems
from tff.inputs import as_int
from tff.outcomes.verified import operations
from tff.outcomes.verified.forms import WHOLE_FAMILY, DecisionForm, RecordForm
from tff.outcomes.verified.models import PROPOSED, VerifiedOutcome

bp = Blueprint("verified_outcomes", __name__)

DECIDERS = {roles.MANAGER}
#: decision: (operation, heading, button, whether a note is needed, done)
DECISIONS = {
    "approve": (operations.approve, "Approve the outcome", "Approve the outcome", False, "approved"),
    "reject": (operations.reject, "Reject the outcome", "Reject the outcome", True, "rejected"),
}


@bp.get("/families/<reference>/verified-outcomes")
@role_required(ALL)
def index(reference: str):
    family = get_family_or_404(current_user, reference)
    can_record = operations.can_record(current_user, family)
    return render_template(
        "outcomes/verified/index.html",
        family=family,
        outcomes=operations.outcomes(family),
        can_record=can_record,
        not_recordable=operations.why_none_offered(family) if can_record else None,
        can_decide=operations.can_decide(current_user),
        PROPOSED=PROPOSED,
    )


@bp.route("/families/<reference>/verified-outcomes/new", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def new(reference: str):
    family = get_family_or_404(current_user, reference)
    if not operations.can_record(current_user, family):
        abort(403)
    back = url_for("verified_outcomes.index", reference=reference)
    offered = operations.offered(family)
    if not offered:
        return render_template(
            "cases/not_measured.html",
            family=family,
            heading="Record a verified outcome",
            why=operations.why_none_offered(family),
            back_url=back,
        )
    form = RecordForm()
    form.code.choices = [(outcome.code, outcome.title) for outcome in offered]
    form.member.choices = [(WHOLE_FAMILY, "The whole family")] + [
        (str(m.id), m.full_name) for m in sorted(family.members, key=lambda m: (m.last_name, m.first_name))
    ]
    if form.validate_on_submit():
        member = form.member.data or WHOLE_FAMILY
        # not a member of the family (or not a number at all): refused by `record`
        member_id = None if member == WHOLE_FAMILY else as_int(member, 0)
        try:
            operations.record(
                family,
                current_user,
                form.code.data,
                form.evidence_note.data,
                form.achieved_on.data,
                member_id=member_id,
            )
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash("The outcome has been recorded for a manager to approve", "success")
            return redirect(url_for("verified_outcomes.index", reference=reference))
    return form_page(
        form,
        family,
        "Record a verified outcome",
        back_url=back,
        intro="An outcome of the family's outcome plan that you have seen the family achieve, with the "
        "evidence for it. It counts towards the family's results once a manager has approved it.",
    )


@bp.route("/families/<reference>/verified-outcomes/<int:outcome_id>/<decision>", methods=["GET", "POST"])
@role_required(DECIDERS)
def decide(reference: str, outcome_id: int, decision: str):
    family = get_family_or_404(current_user, reference)
    outcome = in_family_or_404(VerifiedOutcome, family, outcome_id)
    if decision not in DECISIONS:
        abort(404)
    operation, heading, button, note_needed, done = DECISIONS[decision]
    back = request.args.get("from") == "queue" and url_for("verified_outcomes.queue")
    back = back or url_for("verified_outcomes.index", reference=reference)
    if outcome.state != PROPOSED:
        flash(f"The outcome is {outcome.state_label.lower()}: it cannot be decided again", "info")
        return redirect(back)
    form = DecisionForm()
    form.submit.label.text = button
    form.note.label.text = "Why it is rejected" if note_needed else "Decision note (optional)"
    if form.validate_on_submit():
        try:
            operation(family, outcome, current_user, form.note.data)
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"The outcome {outcome.title} has been {done}", "success")
            return redirect(back)
    return form_page(
        form,
        family,
        heading,
        back_url=back,
        template="outcomes/verified/decide.html",
        outcome=outcome,
    )


@bp.get("/verified-outcomes")
@role_required(DECIDERS)
def queue():
    return render_template("outcomes/verified/queue.html", outcomes=operations.awaiting_decision(current_user))
