"""Subject access, for administrators: find a person, see what is held about them, and export
it all as one file. Finding people lists names and dates of birth only; the person's page and
the export are logged against their family, the export in the audit trail too."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.privacy import subject_access
from tff.privacy.forms import SubjectAccessExportForm, SubjectAccessSearchForm
from tff.privacy.operations import log_view

bp = Blueprint("subject_access", __name__, url_prefix="/privacy/subject-access")


def _member(person_ref: str):
    member = subject_access.member_or_none(current_user, person_ref)
    if member is None:
        abort(404)
    return member


@bp.get("")
@role_required(roles.ADMIN)
def search():
    form = SubjectAccessSearchForm(request.args)
    searched = bool(request.args)
    people, more = [], False
    if searched and form.validate():
        people, more = subject_access.search(
            current_user,
            person_ref=form.person_ref.data or "",
            name=form.name.data or "",
            born=form.date_of_birth.data,
        )
    return render_template(
        "privacy/subject_access.html",
        form=form,
        searched=searched and not form.errors,
        people=people,
        more=more,
        limit=subject_access.MAX_RESULTS,
    ), (400 if form.errors else 200)


@bp.get("/<person_ref>")
@role_required(roles.ADMIN)
def person(person_ref: str):
    member = _member(person_ref)
    held = subject_access.held_about(member, current_user)
    log_view(current_user, member.family)
    return render_template(
        "privacy/subject_access_person.html",
        member=member,
        held=held,
        counts=subject_access.counts(held),
        form=SubjectAccessExportForm(),
    )


@bp.post("/<person_ref>/export")
@role_required(roles.ADMIN)
def export(person_ref: str):
    member = _member(person_ref)
    if not SubjectAccessExportForm().validate_on_submit():
        flash("The form had expired: nothing was exported. Try again.", "error")
        return redirect(url_for("subject_access.person", person_ref=member.person_ref))
    held = subject_access.held_about(member, current_user)
    body = subject_access.as_zip(held)
    name = subject_access.filename(member)
    subject_access.log_export(current_user, member, held)
    response = send_file(io.BytesIO(body), mimetype="application/zip", as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response
