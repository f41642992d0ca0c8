"""Referrals of a family to commissioned providers, step up and step down, and the list of
providers."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.cases.access import get_family_or_404
from tff.cases.casework import form_page, in_family_or_404
from tff.cases.operations import CaseError
from tff.cases.referrals import operations
from tff.cases.referrals import timeline as _timeline  # noqa: F401  (registers the referrals' timeline sources)
from tff.cases.referrals.forms import (
    AcceptForm,
    CloseReferralForm,
    DeclineForm,
    LevelForm,
    ProviderForm,
    ReferralForm,
)
from tff.cases.referrals.models import (
    ACCEPTED,
    CLOSED,
    DECLINED,
    LEVELS,
    NEXT_STATES,
    Provider,
    Referral,
)
from tff.cases.signoff import operations as signoff
from tff.cases.views import CASE_WORKERS
from tff.extensions import db
from tff.forms import show_problems

bp = Blueprint("referrals", __name__)

#: who sees the providers and their capacity
PROVIDER_READERS = {roles.ADMIN, roles.COORDINATOR, roles.MANAGER}
#: who adds and changes them: administrators, and the Families for Change coordinators, who in
#: the seed council's model commission the work with providers and refer families to them
PROVIDER_EDITORS = {roles.ADMIN, roles.COORDINATOR}

#: the steps of a referral after the request: the form and the words for each
STEPS = {
    "accept": (ACCEPTED, AcceptForm, "Record that the referral was accepted"),
    "decline": (DECLINED, DeclineForm, "Record that the referral was declined"),
    "close": (CLOSED, CloseReferralForm, "Close the referral"),
}


def _change(form, change):
    """Run an operation; on refusal put its problems (and any capacity warnings) on the form.
    Returns (done, warnings)."""
    try:
        change()
    except operations.OverCapacity as exc:
        db.session.rollback()
        show_problems(form, exc.problems)
        return False, exc.warnings
    except CaseError as exc:
        db.session.rollback()
        show_problems(form, exc.problems)
        return False, []
    return True, []


# --- A family's referrals ------------------------------------------------------------------


@bp.get("/families/<reference>/referrals")
@role_required(ALL)
def index(reference: str):
    family = get_family_or_404(current_user, reference)
    return render_template(
        "cases/referrals/index.html",
        family=family,
        referrals=operations.referrals(family),
        levels=operations.level_history(family),
        can_work=current_user.role in CASE_WORKERS,
    )


@bp.route("/families/<reference>/referrals/new", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def new(reference: str):
    family = get_family_or_404(current_user, reference)
    providers = db.session.scalars(select(Provider).where(Provider.active).order_by(Provider.name)).all()
    if not providers and request.method == "GET":
        # No form to fill in: say who adds a provider, and give the way there to those who may.
        # (A form sent from an older page is still answered, with why it was refused.)
        return render_template(
            "cases/referrals/no_providers.html",
            family=family,
            any_inactive=db.session.scalar(select(Provider.id).limit(1)) is not None,
            can_add=current_user.role in PROVIDER_EDITORS,
        )
    held = operations.open_referrals(p.id for p in providers)
    form = ReferralForm()
    form.provider.choices = [SelectChoice(0, "Choose a provider")] + [
        SelectChoice(
            p.id,
            f"{p.name} – "
            + (f"{held.get(p.id, {}).get(ACCEPTED, 0)} of {p.capacity} places taken" if p.capacity else "no limit"),
        )
        for p in providers
    ]
    warnings = []
    if form.validate_on_submit():
        provider = db.session.get(Provider, form.provider.data) if form.provider.data else None
        done, warnings = _change(
            form,
            lambda: operations.request_referral(
                family,
                current_user,
                provider,
                form.requested_on.data,
                form.reason.data,
                confirm_over_capacity=form.confirm_over_limit.data,
            ),
        )
        if done:
            flash(f"The family has been referred to {provider.name}", "success")
            return redirect(url_for("referrals.index", reference=reference))
    return form_page(
        form,
        family,
        "Refer the family to a provider",
        back_url=url_for("referrals.index", reference=reference),
        warnings=warnings,
    )


@bp.get("/families/<reference>/referrals/<int:referral_id>")
@role_required(ALL)
def show(reference: str, referral_id: int):
    family = get_family_or_404(current_user, reference)
    referral = in_family_or_404(Referral, family, referral_id)
    steps = [step for step, (state, _form, _heading) in STEPS.items() if state in NEXT_STATES.get(referral.state, ())]
    return render_template(
        "cases/referrals/show.html",
        family=family,
        referral=referral,
        steps=steps if current_user.role in CASE_WORKERS else [],
    )


@bp.route("/families/<reference>/referrals/<int:referral_id>/<step>", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def transition(reference: str, referral_id: int, step: str):
    family = get_family_or_404(current_user, reference)
    referral = in_family_or_404(Referral, family, referral_id)
    if step not in STEPS:
        abort(404)
    to_state, form_class, heading = STEPS[step]
    back = url_for("referrals.show", reference=reference, referral_id=referral.id)
    if to_state not in NEXT_STATES.get(referral.state, ()):
        flash(f"The referral is {referral.state_label.lower()}: it cannot be changed that way", "info")
        return redirect(back)
    form = form_class()
    warnings = []
    if form.validate_on_submit():
        done, warnings = _change(
            form,
            lambda: operations.transition(
                family,
                referral,
                current_user,
                to_state,
                form.on.data,
                note=form.note.data,
                outcome=form.outcome.data if "outcome" in form else None,
                confirm_over_capacity="confirm_over_limit" in form and form.confirm_over_limit.data,
            ),
        )
        if done:
            flash(f"The referral to {referral.provider.name} is {referral.state_label.lower()}", "success")
            return redirect(back)
    return form_page(
        form,
        family,
        heading,
        back_url=back,
        warnings=warnings,
        intro=f"Referral to {referral.provider.name}, requested on {referral.requested_on:%-d %B %Y}.",
    )


@bp.route("/families/<reference>/level", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def level(reference: str):
    family = get_family_or_404(current_user, reference)
    history = operations.level_history(family)
    form = LevelForm()
    if form.validate_on_submit():
        # A step down waits for a manager's sign-off; a step up, or the first level, is recorded now.
        if signoff.is_step_down(family, form.to_level.data):
            done, _ = _change(
                form,
                lambda: signoff.propose_step_down(
                    family, form.to_level.data, form.changed_on.data, form.note.data, current_user
                ),
            )
            if done:
                flash("The step down is proposed: it waits for a manager", "success")
                return redirect(url_for("cases.show", reference=reference))
        else:
            done, _ = _change(
                form,
                lambda: operations.change_level(
                    family, current_user, form.to_level.data, form.changed_on.data, form.note.data
                ),
            )
            if done:
                flash("The level of support has been recorded", "success")
                return redirect(url_for("referrals.index", reference=reference))
    current = history[0] if history else None
    return form_page(
        form,
        family,
        "Record a step up or step down",
        back_url=url_for("referrals.index", reference=reference),
        intro=(
            f"The family is at {LEVELS[current.to_level]} since {current.changed_on:%-d %B %Y}."
            if current
            else "No level of support is recorded yet: record the one the family is at now."
        ),
    )


# --- Providers -----------------------------------------------------------------------------


@bp.get("/providers/")
@role_required(PROVIDER_READERS)
def providers():
    found = db.session.scalars(select(Provider).order_by(Provider.active.desc(), Provider.name)).all()
    return render_template(
        "cases/referrals/providers.html",
        providers=found,
        held=operations.open_referrals(),
        can_change=current_user.role in PROVIDER_EDITORS,
    )


def _provider_page(form, heading, provider=None, then_url=None):
    """The form of a provider; once saved, on to `then_url` (the referral it was added for) or
    the list of providers."""
    back_url = then_url or url_for("referrals.providers")
    if form.validate_on_submit():
        try:
            saved = operations.save_provider(
                current_user,
                form.name.data,
                form.service_type.data,
                form.capacity.data,
                bool(form.active.data),
                provider=provider,
            )
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"{saved.name} has been saved", "success")
            return redirect(back_url)
    return render_template("form_page.html", form=form, heading=heading, back_url=back_url, caption="Providers")


@bp.route("/providers/new", methods=["GET", "POST"])
@role_required(PROVIDER_EDITORS)
def new_provider():
    # Added from a family's referral (`?family=`), the coordinator goes back to that referral;
    # the referral page checks the family may be seen, as it does for any visitor.
    reference = request.args.get("family", "").strip()
    then_url = url_for("referrals.new", reference=reference) if reference and reference.isprintable() else None
    return _provider_page(ProviderForm(), "Add a provider", then_url=then_url)


@bp.route("/providers/<int:provider_id>", methods=["GET", "POST"])
@role_required(PROVIDER_EDITORS)
def edit_provider(provider_id: int):
    provider = db.session.get(Provider, provider_id)
    if provider is None:
        abort(404)
    form = ProviderForm(obj=provider)
    if request.method == "GET":
        form.capacity.data = "" if provider.capacity is None else str(provider.capacity)
    return _provider_page(form, f"Change {provider.name}", provider)
