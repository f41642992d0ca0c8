"""A coordinator decides a family's criteria from its page: confirm or reject a suggestion,
record a criterion the data does not show, withdraw one. The family page lists them
(`tff.identification.criteria`); these are the pages and buttons behind its links."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.cases.access import get_family_or_404
from tff.cases.casework import form_page
from tff.extensions import db
from tff.forms import show_problems
from tff.identification import decisions
from tff.identification.criteria import SUGGESTED, family_criteria
from tff.identification.decisions import CriterionRefused
from tff.identification.forms import ConfirmForm, RecordForm, RejectForm, WithdrawForm
from tff.outcomes.plan_versions.measuring import plan_measuring

bp = Blueprint("family_criteria", __name__, url_prefix="/families")

COORDINATORS = {roles.COORDINATOR}


def _back(family) -> str:
    return url_for("cases.show", reference=family.reference, _anchor="criteria")


def _criterion_or_404(family, kind: str, code: str):
    """The criterion as the family page shows it; 404 for one the family can have nothing to do with."""
    for _, rows in family_criteria(family).groups:
        for criterion in rows:
            if criterion.kind == kind and criterion.code == code:
                return criterion
    abort(404)


@bp.post("/<reference>/criteria/<kind>/<code>/confirm")
@role_required(COORDINATORS)
def confirm(reference: str, kind: str, code: str):
    family = get_family_or_404(current_user, reference)
    criterion = _criterion_or_404(family, kind, code)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        decisions.confirm(family, kind, code, current_user)
    except CriterionRefused as exc:
        db.session.rollback()
        flash(exc.problems["criterion"], "error")
    else:
        flash(f"“{criterion.title}” is confirmed for family {family.reference}", "success")
    return redirect(_back(family))


def _decide(reference: str, kind: str, code: str, form_class, apply, heading: str, done: str, intro: str):
    """A decision about one criterion that needs the person's words: its form, with the
    criterion's evidence beside it, and back to the family page once made."""
    family = get_family_or_404(current_user, reference)
    criterion = _criterion_or_404(family, kind, code)
    form = form_class()
    if form.validate_on_submit():
        try:
            apply(family, kind, code, form.reason.data, current_user)
        except CriterionRefused as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(done.format(title=criterion.title, family=family.reference), "success")
            return redirect(_back(family))
    return form_page(
        form,
        family,
        heading.format(title=criterion.title),
        back_url=_back(family),
        template="identification/decide.html",
        criterion=criterion,
        intro=intro(family) if callable(intro) else intro,
    )


@bp.route("/<reference>/criteria/<kind>/<code>/reject", methods=["GET", "POST"])
@role_required(COORDINATORS)
def reject(reference: str, kind: str, code: str):
    return _decide(
        reference,
        kind,
        code,
        RejectForm,
        decisions.reject,
        "Reject the suggestion: {title}",
        "The suggestion “{title}” is rejected for family {family}",
        "A rejected suggestion does not count towards the family's eligibility. It stays on the family's "
        "page with your reason until someone confirms it after all.",
    )


def _withdraw_intro(family) -> str:
    intro = "A withdrawn criterion no longer counts towards the family's eligibility."
    if family.attached_on is not None:
        intro += " The family's attachment stays as it is: the audit trail keeps what it rested on."
    return intro


@bp.route("/<reference>/criteria/<kind>/<code>/withdraw", methods=["GET", "POST"])
@role_required(COORDINATORS)
def withdraw(reference: str, kind: str, code: str):
    return _decide(
        reference,
        kind,
        code,
        WithdrawForm,
        decisions.withdraw,
        "Withdraw the criterion: {title}",
        "“{title}” is withdrawn from family {family}",
        _withdraw_intro,
    )


@bp.route("/<reference>/criteria/record", methods=["GET", "POST"])
@role_required(COORDINATORS)
def record(reference: str):
    """Criteria the data does not show: the ones the family may meet and has not recorded,
    each with what shows it."""
    family = get_family_or_404(current_user, reference)
    shown = family_criteria(family)
    form = RecordForm()
    choices = []
    for heading, rows in shown.groups:
        for criterion in rows:
            if not criterion.counts:
                hint = " (suggested by the evidence)" if criterion.state == SUGGESTED else ""
                choices.append(
                    SelectChoice(f"{criterion.kind}:{criterion.code}", f"{heading}: {criterion.title}{hint}")
                )
    form.criteria.choices = choices
    if form.validate_on_submit():
        chosen = [tuple(value.split(":", 1)) for value in form.criteria.data or []]
        try:
            made = decisions.record_criteria(family, chosen, form.note.data, current_user)
        except CriterionRefused as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(
                f"{len(made)} {'criterion is' if len(made) == 1 else 'criteria are'} recorded for family "
                f"{family.reference}",
                "success",
            )
            return redirect(_back(family))
    intro = "Record what the partners' data does not show, for example a local filter a worker has seen."
    if shown.no_problems:
        intro += f" {shown.no_problems}."
    elif (plan := plan_measuring(family)) is not None:
        intro += f" The headline problems are those of the outcome plan {plan.rule_set} ({plan.title})."
    if not choices:
        return render_template(
            "cases/not_measured.html",
            family=family,
            heading="Record criteria",
            why="Every criterion this family can meet is recorded already.",
        )
    return form_page(form, family, "Record criteria the data does not show", back_url=_back(family), intro=intro)
