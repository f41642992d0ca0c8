"""Evidence settings, for administrators: the school term calendar per academic year, the
out-of-work benefit codes, and further event and spell kinds."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.dates import academic_year_problem, plausible_range
from tff.evidence.kinds import EVENT_KINDS, SPELL_KINDS, TERMS
from tff.evidence.settings import (
    EVENT,
    SPELL,
    SettingRefused,
    TermCalendar,
    academic_year_of,
    add_kind,
    default_calendar,
    kind_labels,
    out_of_work_codes,
    set_date_range,
    set_out_of_work_codes,
    set_term_calendar,
    term_calendar,
)
from tff.evidence.settings_forms import AcademicYearForm, BenefitsForm, DateRangeForm, KindForm, TermCalendarForm
from tff.extensions import db
from tff.forms import show_problems

bp = Blueprint("evidence_settings", __name__, url_prefix="/admin/evidence")


@bp.get("/")
@role_required(roles.ADMIN)
def index():
    years = db.session.scalars(select(TermCalendar).order_by(TermCalendar.academic_year.desc())).all()
    return render_template(
        "evidence/settings.html",
        years=years,
        terms=TERMS,
        year_form=AcademicYearForm(request.args, meta={"csrf": False}),
        benefits=sorted(out_of_work_codes()),
        date_range=plausible_range(),
        kinds={
            EVENT: (kind_labels(EVENT), EVENT_KINDS),
            SPELL: (kind_labels(SPELL), SPELL_KINDS),
        },
    )


@bp.get("/terms")
@role_required(roles.ADMIN)
def open_year():
    year = (request.args.get("year") or "").strip()
    if not year:
        flash("An empty year is not an academic year like 2012/13", "error")
        return redirect(url_for("evidence_settings.index"))
    if problem := academic_year_problem(year, "Academic year"):
        flash(problem, "error")
        return redirect(url_for("evidence_settings.index"))
    return redirect(url_for("evidence_settings.terms", first_year=int(year[:4])))


@bp.route("/terms/<int:first_year>", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def terms(first_year: int):
    academic_year = academic_year_of(first_year)
    if academic_year_problem(academic_year, "Academic year"):
        abort(404)
    form = TermCalendarForm()
    if request.method == "GET":
        for term, (start, end) in term_calendar([academic_year])[academic_year].items():
            getattr(form, f"{term}_start").data = start
            getattr(form, f"{term}_end").data = end
    if form.validate_on_submit():
        try:
            set_term_calendar(academic_year, form.dates(), current_user)
        except SettingRefused as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"The school term dates of {academic_year} have been saved", "success")
            return redirect(url_for("evidence_settings.index"))
    default = default_calendar(academic_year)
    return render_template(
        "form_page.html",
        form=form,
        heading=f"School term dates, {academic_year}",
        caption="Evidence settings",
        back_url=url_for("evidence_settings.index"),
        intro="Attendance is dated by the end of its term. Where a year has no dates set, the default is "
        + "; ".join(f"{t} {s:%-d %B} to {e:%-d %B}" for t, (s, e) in default.items())
        + ".",
    ), (400 if form.errors else 200)


@bp.route("/dates", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def date_range():
    form = DateRangeForm()
    if request.method == "GET":
        form.earliest.data, form.latest.data = plausible_range()
    if form.validate_on_submit():
        try:
            earliest, latest = set_date_range(form.earliest.data, form.latest.data, current_user)
        except SettingRefused as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"Dates from {earliest:%-d %B %Y} to {latest:%-d %B %Y} are now accepted", "success")
            return redirect(url_for("evidence_settings.index"))
    return render_template(
        "form_page.html",
        form=form,
        heading="Dates the product accepts",
        caption="Evidence settings",
        back_url=url_for("evidence_settings.index"),
        intro="Every date typed on a form, read from a file or given to a command must lie in this range; "
        "dates of birth must also not be in the future. Dates already held are not changed.",
    ), (400 if form.errors else 200)


@bp.route("/benefits", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def benefits():
    form = BenefitsForm()
    if request.method == "GET":
        form.codes.data = ", ".join(sorted(out_of_work_codes()))
    if form.validate_on_submit():
        try:
            codes = set_out_of_work_codes(form.codes.data, current_user)
        except SettingRefused as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"Out-of-work benefits are now {', '.join(codes)}", "success")
            return redirect(url_for("evidence_settings.index"))
    return render_template(
        "form_page.html",
        form=form,
        heading="Out-of-work benefits",
        caption="Evidence settings",
        back_url=url_for("evidence_settings.index"),
    ), (400 if form.errors else 200)


@bp.route("/kinds/new", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def new_kind():
    form = KindForm()
    if form.validate_on_submit():
        try:
            kind = add_kind(form.family.data, form.code.data, form.label.data, current_user)
        except SettingRefused as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"The {kind.family} kind {kind.code} has been added", "success")
            return redirect(url_for("evidence_settings.index"))
    return render_template(
        "form_page.html",
        form=form,
        heading="Add an evidence kind",
        caption="Evidence settings",
        back_url=url_for("evidence_settings.index"),
        warnings=["A kind cannot be removed once added."],
    ), (400 if form.errors else 200)
