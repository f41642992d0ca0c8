"""The funding dashboard: money drawn down against what is available and progress against the
commitment, by programme and year, by result, by claim window, by team and by commissioned
provider, each table exportable as CSV; for finance, recording the attachment fees received and
each programme's commitments and fee basis; and, for administrators, each programme's end date."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.datastructures import Headers

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.cases.models.family import PROGRAMMES
from tff.exports import csv_text
from tff.forms import show_problems
from tff.funding import commitments, operations, spending
from tff.funding.charts import Series, bar_chart, line_chart
from tff.funding.drawdown import funding, trajectory
from tff.funding.forms import CommitmentForm, FeeBasisForm, FeeReceiptForm, ProgrammeEndForm
from tff.outcomes.views import TITLES

bp = Blueprint("funding", __name__, url_prefix="/funding")
settings_bp = Blueprint("funding_settings", __name__, url_prefix="/admin/funding")

READERS = (roles.MANAGER, roles.FINANCE, roles.ADMIN)
RECORDERS = (roles.FINANCE, roles.ADMIN)
#: a fee basis, as the dashboard's progress table says what the fees are due for
FEES_FOR = {commitments.COMMITMENT: "Families funded", commitments.ATTACHED: "Families attached"}


def _ends_in_words(result, ends: dict[str, operations.End]) -> str:
    """The end date the line runs to, or each programme's when they differ (only the programmes
    with results to claim, unless none has)."""
    shown = [e for p, e in ends.items() if any(r.programme == p and r.available > r.fees_due for r in result.years)]
    shown = shown or list(ends.values())
    if len({e.ends_on for e in shown}) == 1:
        return f"{shown[0].ends_on:%-d %B %Y}"
    return "each programme’s end: " + "; ".join(f"{e.label} {e.ends_on:%-d %B %Y}" for e in shown)


def _balance(claimed: int, paid: int) -> tuple[int, int]:
    """(still to be paid, overpaid): never a negative amount outstanding."""
    return max(claimed - paid, 0), max(paid - claimed, 0)


def _tables(result) -> dict[str, tuple[list[str], list[list]]]:
    """Every table of the page as (header, rows), for the page and its CSV downloads."""
    years = [
        [
            r.label,
            r.year,
            r.fees_due,
            r.fees_received,
            r.results_available,
            r.results_claimed,
            r.results_paid,
            r.unpaid,
            r.available,
            r.up_front,
            r.drawn,
        ]
        for r in result.years
    ]
    progress = [
        [
            r.label,
            r.year,
            FEES_FOR[r.basis],
            r.committed,
            r.funded,
            r.families,
            None if r.progress is None else round(100 * r.progress),
            r.on_override,
        ]
        for r in result.years
    ]
    programmes = [
        [
            r.label,
            r.committed,
            r.funded,
            r.families,
            r.fees_due,
            r.fees_received,
            r.results_available,
            r.results_claimed,
            r.results_paid,
            r.unpaid,
            r.available,
            r.up_front,
            r.drawn,
        ]
        for r in result.by_programme()
    ]
    return {
        "programmes": (
            [
                "programme",
                "families_committed",
                "families_funded",
                "families_attached",
                "fees_due",
                "fees_received",
                "results_available",
                "results_claimed",
                "results_paid",
                "claimed_not_yet_paid",
                "available",
                "paid_up_front_percent",
                "drawn_down",
            ],
            programmes,
        ),
        "progress": (
            [
                "programme",
                "year",
                "fees_due_for",
                "families_committed",
                "families_funded",
                "families_attached",
                "attached_percent_of_committed",
                "families_on_override",
            ],
            progress,
        ),
        "years": (
            [
                "programme",
                "year",
                "fees_due",
                "fees_received",
                "results_available",
                "results_claimed",
                "results_paid",
                "claimed_not_yet_paid",
                "available",
                "paid_up_front_percent",
                "drawn_down",
            ],
            years,
        ),
        "outcomes": (
            ["outcome", "attached_in", "results", "amount"],
            [[TITLES.get(o, o), y, n, a] for o, y, n, a in result.by_outcome],
        ),
        "windows": (
            ["window", "as_of", "families", "claimed", "paid", "still_to_be_paid", "overpaid", "clawed_back"],
            [
                [name, as_of.isoformat(), families, claimed, paid, *_balance(claimed, paid), clawed]
                for name, as_of, claimed, paid, families, clawed in result.by_window
            ],
        ),
        "teams": (["team", "families", "amount"], [list(row) for row in result.by_team]),
        "providers": (
            ["provider", "families_referred", "families_with_results_claimed", "results", "amount"],
            [list(row) for row in result.by_provider],
        ),
    }


@bp.get("/")
@role_required(READERS)
def index():
    result = funding()
    ends = operations.programme_ends()
    end_words = _ends_in_words(result, ends)
    labels, claimed, target, forecast = trajectory(result, {p: e.ends_on for p, e in ends.items()})
    charts = {}
    if labels:
        charts["trajectory"] = line_chart(
            f"Results claimed, window by window, against the line that claims them all by {end_words}",
            labels,
            [
                Series("Results claimed so far", claimed, "solid"),
                Series("To claim all by the end", target, "dashed"),
                *([Series("Forecast from the near misses", forecast, "dotted")] if any(forecast) else []),
            ],
        )
    if result.by_outcome:
        totals: dict[str, int] = {}
        for outcome, _year, _n, amount in result.by_outcome:
            totals[TITLES.get(outcome, outcome)] = totals.get(TITLES.get(outcome, outcome), 0) + amount
        charts["outcomes"] = bar_chart("Results claimed by result", list(totals), list(totals.values()))
    found = spending.profile()
    return render_template(
        "funding/index.html",
        result=result,
        profile=found,
        total=found.total,
        left_in_words=spending.left_in_words,
        tables=_tables(result),
        charts=charts,
        end_words=end_words,
        can_record=current_user.role in RECORDERS,
        can_set_ends=current_user.role == roles.ADMIN,
    )


@bp.get("/<name>.csv")
@role_required(READERS)
def table_csv(name: str):
    tables = _tables(funding())
    if name not in tables:
        abort(404)
    header, rows = tables[name]
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=f"funding-{name}.csv")
    return Response("".join(csv_text([header, *rows])), mimetype="text/csv", headers=headers)


@bp.route("/fees/new", methods=["GET", "POST"])
@role_required(RECORDERS)
def new_fees():
    form = FeeReceiptForm()
    if form.validate_on_submit():
        try:
            operations.record_fees(
                form.programme.data,
                form.financial_year.data,
                form.amount.data,
                form.received_on.data,
                form.note.data,
                current_user,
            )
        except operations.Refused as exc:
            show_problems(form, exc.problems)
        else:
            flash("The attachment fees received are recorded.")
            return redirect(url_for("funding.index"))
    return render_template(
        "form_page.html",
        form=form,
        heading="Record attachment fees received",
        back_url=url_for("funding.index"),
    )


@settings_bp.route("/programme-ends", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def programme_ends():
    form = ProgrammeEndForm()
    if form.is_submitted() and not form.validate():
        # a date that is not a real date stops the form: name the other problems with it
        for field, problem in operations.end_problems(form.programme.data, form.ends_on.data).items():
            if not getattr(form, field).errors:
                getattr(form, field).errors.append(problem)
    elif form.is_submitted():
        try:
            saved = operations.set_programme_end(form.programme.data, form.ends_on.data, current_user)
        except operations.Refused as exc:
            show_problems(form, exc.problems)
        else:
            label = PROGRAMMES[form.programme.data]
            if saved is None:
                flash(f"{label} already ends on {form.ends_on.data:%-d %B %Y}: nothing has changed.")
            else:
                flash(f"{label} now ends on {saved.ends_on:%-d %B %Y}.", "success")
            return redirect(url_for("funding_settings.programme_ends"))
    return render_template(
        "funding/programme_ends.html",
        form=form,
        ends=operations.programme_ends(),
        defaults=operations.default_ends(),
    ), (400 if form.errors else 200)


def _number(text: str | None):
    """A whole number typed in a form (thousands separators allowed), None when left empty, or
    the text itself when it is not one, for the operation to name."""
    value = (text or "").strip().replace(",", "")
    if not value:
        return None
    return int(value) if value.isascii() and value.lstrip("-").isdigit() and len(value) < 12 else value


def _commitments_page(form: CommitmentForm, basis_form: FeeBasisForm, status: int = 200):
    result = funding(breakdowns=False)  # its table reads the years only
    return render_template(
        "funding/commitments.html",
        form=form,
        basis_form=basis_form,
        rows=[r for r in result.years if r.committed is not None or r.families],
        listed=commitments.commitments(),
        bases=commitments.bases(),
        basis_words=commitments.BASES,
        labels=PROGRAMMES,
    ), status


@bp.get("/commitments")
@role_required(RECORDERS)
def commitments_page():
    return _commitments_page(CommitmentForm(), FeeBasisForm())


@bp.post("/commitments")
@role_required(RECORDERS)
def set_commitment():
    form = CommitmentForm()
    if form.validate_on_submit():
        committed = _number(form.families_committed.data)
        try:
            saved = commitments.set_commitment(
                form.programme.data,
                form.financial_year.data,
                committed,
                _number(form.families_funded.data),
                current_user,
            )
        except commitments.Refused as exc:
            show_problems(form, exc.problems)
        else:
            label, year = PROGRAMMES[form.programme.data], form.financial_year.data.strip()
            if saved is None:
                flash(f"{label} {year} already had that commitment: nothing has changed.")
            else:
                flash(
                    f"{label} {year}: {saved.committed:,} families committed, {saved.funded:,} funded "
                    f"({saved.funded_words}).",
                    "success",
                )
            return redirect(url_for("funding.commitments_page"))
    return _commitments_page(form, FeeBasisForm(formdata=None), 400)


@bp.post("/commitments/basis")
@role_required(RECORDERS)
def set_basis():
    form = FeeBasisForm()
    if form.validate_on_submit():
        try:
            saved = commitments.set_basis(form.programme.data, form.basis.data, current_user)
        except commitments.Refused as exc:
            show_problems(form, exc.problems)
        else:
            label = PROGRAMMES[form.programme.data]
            if saved is None:
                flash(f"{label}’s attachment fees already fall due that way: nothing has changed.")
            else:
                flash(f"{label}’s attachment fees now fall due for {commitments.BASES[saved].lower()}.", "success")
            return redirect(url_for("funding.commitments_page"))
    return _commitments_page(CommitmentForm(formdata=None), form, 400)
