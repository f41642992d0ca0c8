"""The family's "Evidence" section: its members' events, spells and school attendance, and
events and spells recorded or corrected by hand, for evidence that arrives outside the feeds."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.cases.access import get_family_or_404
from tff.cases.casework import form_page
from tff.cases.views import CASE_WORKERS
from tff.evidence import manual
from tff.evidence.manual_forms import EventForm, SpellForm
from tff.evidence.models import Event, Spell
from tff.evidence.settings import EVENT, SPELL, kind_labels, term_calendar, term_end
from tff.extensions import db
from tff.forms import show_problems
from tff.identification.job import suggest_again

bp = Blueprint("family_evidence", __name__, url_prefix="/families")


@bp.get("/<reference>/evidence")
@role_required(ALL)
def index(reference: str):
    family = get_family_or_404(current_user, reference)
    people = manual.family_evidence(family)
    calendar = term_calendar({r.academic_year for person in people for r in person["attendance"]})
    for person in people:  # newest first: by the end of the term, in the calendar as set
        person["attendance"].sort(key=lambda r: term_end(calendar, r.academic_year, r.term) or date.min, reverse=True)
    return render_template(
        "evidence/family.html",
        family=family,
        people=people,
        event_labels=kind_labels(EVENT),
        spell_labels=kind_labels(SPELL),
        calendar=calendar,
        term_end=term_end,
        can_work=current_user.role in CASE_WORKERS,
    )


def _back(reference: str, anchor: str = "") -> str:
    return url_for("family_evidence.index", reference=reference) + anchor


def _save(form, family, heading: str, action):
    if form.validate_on_submit():
        try:
            changed = action(form.values())
        except manual.EvidenceRefused as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            # The evidence is committed: the family's suggested criteria follow it, if it has any.
            again = suggest_again([family.id])
            if again.problem:
                flash(
                    f"{changed}. The family's suggested criteria could not be worked out again: {again.problem}",
                    "warning",
                )
            elif again.families:
                flash(f"{changed}, and the family's suggested criteria have been worked out again", "success")
            else:
                flash(changed, "success")
            return redirect(_back(family.reference))
    return form_page(form, family, heading, back_url=_back(family.reference)), (400 if form.errors else 200)


@bp.route("/<reference>/evidence/events/new", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def new_event(reference: str):
    family = get_family_or_404(current_user, reference)
    form = EventForm().setup(manual.members(family), kind_labels(EVENT))

    def action(values):
        manual.record_event(family, current_user, values)
        return "The event has been recorded"

    return _save(form, family, "Record an event", action)


@bp.route("/<reference>/evidence/events/<int:event_id>", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def edit_event(reference: str, event_id: int):
    family = get_family_or_404(current_user, reference)
    event = manual.evidence_in_family_or_404(Event, family, event_id)
    form = EventForm(obj=event if request.method == "GET" else None).setup([], kind_labels(EVENT))
    del form.member_id

    def action(values):
        changed = manual.correct_event(family, event, current_user, values)
        return "The event has been corrected" if changed else "Nothing was changed"

    return _save(form, family, f"Correct an event of {event.member.full_name}", action)


@bp.route("/<reference>/evidence/spells/new", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def new_spell(reference: str):
    family = get_family_or_404(current_user, reference)
    form = SpellForm().setup(manual.members(family), kind_labels(SPELL))

    def action(values):
        manual.record_spell(family, current_user, values)
        return "The spell has been recorded"

    return _save(form, family, "Record a spell", action)


@bp.route("/<reference>/evidence/spells/<int:spell_id>", methods=["GET", "POST"])
@role_required(CASE_WORKERS)
def edit_spell(reference: str, spell_id: int):
    family = get_family_or_404(current_user, reference)
    spell = manual.evidence_in_family_or_404(Spell, family, spell_id)
    form = SpellForm(obj=spell if request.method == "GET" else None).setup([], kind_labels(SPELL))
    del form.member_id

    def action(values):
        changed = manual.correct_spell(family, spell, current_user, values)
        return "The spell has been corrected" if changed else "Nothing was changed"

    return _save(form, family, f"Correct a spell of {spell.member.full_name}", action)
