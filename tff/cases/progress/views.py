"""Case notes and the family's timeline."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.cases.access import get_family_or_404
from tff.cases.casework import form_page, in_family_or_404
from tff.cases.operations import CaseError
from tff.cases.progress import operations
from tff.cases.progress.forms import NoteForm
from tff.cases.progress.models import CaseNote
from tff.cases.progress.timeline import SOURCES, kinds, timeline
from tff.cases.views import CASE_WORKERS
from tff.extensions import db
from tff.forms import show_problems

bp = Blueprint("progress", __name__, url_prefix="/families")


@bp.get("/<reference>/notes")
@role_required(ALL)
def notes(reference: str):
    family = get_family_or_404(current_user, reference)
    return render_template(
        "cases/progress/notes.html",
        family=family,
        notes=operations.notes(family),
        can_work=current_user.role in CASE_WORKERS,
    )


@bp.route("/<reference>/notes/new", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def new_note(reference: str):
    family = get_family_or_404(current_user, reference)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            note = operations.add_note(
                family, current_user, form.contact_on.data, form.kind.data, form.facts.data, form.opinion.data
            )
        except CaseError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash("The note has been saved", "success")
            return redirect(url_for("progress.notes", reference=reference) + f"#note-{note.id}")
    return form_page(
        form,
        family,
        "Add a case note",
        back_url=url_for("progress.notes", reference=reference),
        intro="Keep what happened apart from what you think of it. A saved note cannot be changed: "
        "to correct one, add a new note that says so.",
    )


@bp.get("/<reference>/notes/<int:note_id>")
@role_required(ALL)
def note(reference: str, note_id: int):
    family = get_family_or_404(current_user, reference)
    found = in_family_or_404(CaseNote, family, note_id)
    return render_template("cases/progress/note.html", family=family, note=found)


@bp.get("/<reference>/timeline", endpoint="timeline")
@role_required(ALL)
def family_timeline(reference: str):
    family = get_family_or_404(current_user, reference)
    kind = request.args.get("kind", "")
    if kind not in SOURCES:
        kind = ""
    return render_template(
        "cases/progress/timeline.html",
        family=family,
        entries=timeline(family, [kind] if kind else None),
        kinds=kinds(),
        kind=kind,
    )
