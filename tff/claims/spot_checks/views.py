"""The spot checks of a submitted claim: recorded by finance, each family's finding recorded by
finance or internal audit, a result not upheld clawed back; each check's families packed for
the national team."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from tff.auth import roles
from tff.auth.permissions import has_role, role_required
from tff.claims import packs
from tff.claims.models import ClaimWindow
from tff.claims.operations import ClaimRefused
from tff.claims.spot_checks import operations
from tff.claims.spot_checks.forms import FindingForm, SpotCheckForm
from tff.claims.spot_checks.models import SpotCheckFamily
from tff.extensions import db
from tff.forms import show_problems
from tff.problems import Refused

bp = Blueprint("spot_checks", __name__, url_prefix="/claims/<int:window_id>/spot-checks")

READERS = (roles.FINANCE, roles.MANAGER, roles.AUDITOR, roles.ADMIN)
#: who records a spot check, and who records what it found
RECORDERS = (roles.FINANCE, roles.ADMIN)
FINDERS = (roles.FINANCE, roles.AUDITOR, roles.ADMIN)


def _window(window_id: int) -> ClaimWindow:
    window = db.session.get(ClaimWindow, window_id)
    if window is None or window.batch is None:
        abort(404)
    return window


def _index(window: ClaimWindow, form: SpotCheckForm, status: int = 200):
    checks = operations.checks_of(window)
    return render_template(
        "claims/spot_checks/index.html",
        window=window,
        checks=[(check, operations.summary(check)) for check in checks],
        form=form if has_role(*RECORDERS) and (window.batch.state == "submitted" or form.errors) else None,
    ), status


@bp.get("")
@role_required(READERS)
def index(window_id: int):
    return _index(_window(window_id), SpotCheckForm(formdata=None))


@bp.post("")
@role_required(RECORDERS)
def record(window_id: int):
    window = _window(window_id)
    form = SpotCheckForm()
    if form.validate_on_submit():
        try:
            check = operations.record_check(
                window, form.selected_on.data, form.families.data, form.reference.data, current_user
            )
        except Refused as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"The spot check of {len(check.families):,} families is recorded.", "success")
            return redirect(url_for("spot_checks.show", window_id=window.id, check_id=check.id))
    return _index(window, form, 400)


def _show(window, check, forms: dict[int, FindingForm] | None = None, status: int = 200):
    forms = forms or {}
    can_find = has_role(*FINDERS)
    for entry in check.families:
        if entry.finding is None and can_find and entry.id not in forms:
            forms[entry.id] = FindingForm(formdata=None, prefix=f"f{entry.id}")
    amounts = operations.included(window, [entry.family_ref for entry in check.families])
    return render_template(
        "claims/spot_checks/show.html",
        window=window,
        check=check,
        summary=operations.summary(check),
        amounts={ref: amount for ref, (_id, amount) in amounts.items()},
        forms=forms,
        can_pack=current_user.role in packs.PACKERS,
    ), status


@bp.get("/<int:check_id>")
@role_required(READERS)
def show(window_id: int, check_id: int):
    window = _window(window_id)
    check = operations.get_check(window, check_id) or abort(404)
    return _show(window, check)


@bp.post("/<int:check_id>/families/<int:entry_id>")
@role_required(FINDERS)
def find(window_id: int, check_id: int, entry_id: int):
    window = _window(window_id)
    check = operations.get_check(window, check_id) or abort(404)
    entry = db.session.get(SpotCheckFamily, entry_id)
    if entry is None or entry.spot_check_id != check.id:
        abort(404)
    form = FindingForm(prefix=f"f{entry.id}")
    if form.validate_on_submit():
        try:
            operations.decide(window, entry, form.finding.data, form.note.data, current_user, form.clawed_back_on.data)
        except Refused as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        except ClaimRefused as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(f"{entry.family_ref}: {entry.finding_words.lower()}.", "success")
            return redirect(url_for("spot_checks.show", window_id=window.id, check_id=check.id))
    return _show(window, check, {entry.id: form}, 400)


@bp.post("/<int:check_id>/pack")
@role_required(packs.PACKERS)
def pack(window_id: int, check_id: int):
    window = _window(window_id)
    check = operations.get_check(window, check_id) or abort(404)
    try:
        job = packs.start_pack(window, packs.SPOT_CHECK, current_user, spot_check_id=check.id)
    except ClaimRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("spot_checks.show", window_id=window.id, check_id=check.id))
    return redirect(url_for("jobs.show", job_id=job.id))
