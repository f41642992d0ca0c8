"""Identification settings, for administrators: which absence the phase one education
criterion counts, and the council's local filters."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.extensions import db
from tff.forms import show_problems
from tff.identification.settings import (
    ABSENCE_TITLES,
    SettingRefused,
    absence_setting,
    filters_text,
    local_filters,
    set_identification,
)
from tff.identification.settings_forms import IdentificationSettingsForm

bp = Blueprint("identification_settings", __name__, url_prefix="/admin/identification")


@bp.app_template_global()
def identification_settings() -> dict:
    """What the evidence settings page shows of these settings: the absence counted, in words,
    and the local filters (code -> title)."""
    return {"absence": ABSENCE_TITLES[absence_setting()], "local_filters": local_filters()}


@bp.route("/", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def index():
    form = IdentificationSettingsForm()
    if request.method == "GET":
        form.absence.data = absence_setting()
        form.local_filters.data = filters_text(local_filters())
    if form.validate_on_submit():
        try:
            absence, filters = set_identification(form.absence.data, form.local_filters.data, current_user)
        except SettingRefused as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            if absence or filters:
                flash("The identification settings have been saved", "success")
            else:
                flash("Nothing was changed: the identification settings are as they were", "success")
            return redirect(url_for("evidence_settings.index", _anchor="identification"))
    return render_template(
        "form_page.html",
        form=form,
        heading="Identification settings",
        caption="Evidence settings",
        back_url=url_for("evidence_settings.index"),
        intro="How the evidence suggests a phase one family's criteria. A change counts from the next time the "
        "suggestions are worked out; criteria already confirmed stay as they are.",
        warnings=[
            "A local filter taken off the list stays with the families that hold it: families that hold it keep it.",
            "With no local filters, a phase one family is eligible only when it meets all three national criteria.",
        ],
    ), (400 if form.errors else 200)
