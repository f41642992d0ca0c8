"""The manager's approval or return of a proposed closure or step down, and the proposer's
withdrawal. Proposing happens on the close and level pages (`cases.close`, `referrals.level`)."""

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.cases.access import get_family_or_404
from tff.cases.casework import form_page, in_family_or_404
from tff.cases.operations import CaseError
from tff.cases.signoff import operations
from tff.cases.signoff.forms import ApproveForm, ReturnForm, WithdrawForm
from tff.cases.signoff.models import PROPOSED, SignOff
from tff.cases.views import CASE_WORKERS
from tff.extensions import db
from tff.forms import show_problems

bp = Blueprint("signoff", __name__, url_prefix="/families/<reference>/sign-offs")

#: who approves or returns a proposal
MANAGERS = {roles.MANAGER}


def _proposal(reference: str, sign_off_id: int) -> SignOff:
    family = get_family_or_404(current_user, reference)
    return in_family_or_404(SignOff, family, sign_off_id)


def _decide(reference: str, sign_off_id: int, form, heading: str, decide, done: str):
    sign_off = _proposal(reference, sign_off_id)
    if sign_off.state != PROPOSED:
        flash(f"This proposal is {sign_off.state_label.lower()}: there is nothing to decide", "info")
        return redirect(url_for("cases.show", reference=reference))
    if form.validate_on_submit():
        try:
            decide(sign_off, form)
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(done.format(family=sign_off.family), "success")
            return redirect(url_for("pages.home"))
    return form_page(
        form,
        sign_off.family,
        heading,
        back_url=url_for("pages.home"),
        template="cases/signoff/decide.html",
        sign_off=sign_off,
    )


@bp.route("/<int:sign_off_id>/approve", methods=["GET", "POST"])
@role_required(MANAGERS)
def approve(reference: str, sign_off_id: int):
    return _decide(
        reference,
        sign_off_id,
        ApproveForm(),
        "Approve the proposal",
        lambda sign_off, form: operations.approve(sign_off, current_user),
        "Approved: the change to family {family.reference} is made",
    )


@bp.route("/<int:sign_off_id>/return", methods=["GET", "POST"])
@role_required(MANAGERS)
def return_it(reference: str, sign_off_id: int):
    return _decide(
        reference,
        sign_off_id,
        ReturnForm(),
        "Return the proposal",
        lambda sign_off, form: operations.return_to_proposer(sign_off, form.reason.data, current_user),
        "Returned to the proposer: nothing has changed for family {family.reference}",
    )


@bp.post("/<int:sign_off_id>/withdraw")
@role_required(CASE_WORKERS)
def withdraw(reference: str, sign_off_id: int):
    sign_off = _proposal(reference, sign_off_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            operations.withdraw(sign_off, current_user)
        except CaseError as exc:
            db.session.rollback()
            flash("; ".join(exc.problems.values()), "error")
        else:
            flash(f"{sign_off.kind_label} withdrawn: nothing has changed", "success")
    return redirect(url_for("cases.show", reference=reference))
