"""The spending plan against the money received: the profile per year and in all, the lines
and what funds each, for finance, administrators and managers (who read it only); finance and
administrators add, change and remove lines. Each table downloads as CSV."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.datastructures import Headers

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.exports import csv_text
from tff.extensions import db
from tff.forms import show_problems
from tff.funding import spending
from tff.funding.spending_forms import RemoveForm, SpendingLineForm
from tff.problems import Refused

bp = Blueprint("spending", __name__, url_prefix="/funding/spending")

READERS = (roles.MANAGER, roles.FINANCE, roles.ADMIN)
CHANGERS = (roles.FINANCE, roles.ADMIN)


def _tables(found: spending.Profile) -> dict[str, tuple[list[str], list[list]]]:
    """Every table of the page as (header, rows), for its CSV downloads: numbers as numbers,
    so a spreadsheet adds them up (a shortfall is a negative `left`)."""
    total = found.total
    return {
        "years": (
            ["financial_year", "received", "committed", "left", "from_results_still_to_be_claimed"],
            [[y.year, y.received, y.committed, y.left, y.from_results] for y in [*found.years, total]],
        ),
        "lines": (
            [
                "name",
                "financial_year",
                "amount",
                "pays_for",
                "team",
                "provider",
                "from_money_received",
                "from_results_still_to_be_claimed",
            ],
            [
                [
                    f.line.name,
                    f.line.financial_year,
                    f.line.amount,
                    f.line.pays_for,
                    f.line.team.name if f.line.team else "",
                    f.line.provider.name if f.line.provider else "",
                    f.from_received,
                    f.from_results,
                ]
                for f in found.lines
            ],
        ),
    }


@bp.get("")
@role_required(READERS)
def index():
    found = spending.profile()
    return render_template(
        "funding/spending.html",
        profile=found,
        total=found.total,
        left_in_words=spending.left_in_words,
        can_change=current_user.role in CHANGERS,
    )


@bp.get("/<name>.csv")
@role_required(READERS)
def table_csv(name: str):
    tables = _tables(spending.profile())
    if name not in tables:
        abort(404)
    header, rows = tables[name]
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=f"spending-{name}.csv")
    return Response("".join(csv_text([header, *rows])), mimetype="text/csv", headers=headers)


def _save(form: SpendingLineForm, line: spending.SpendingLine | None) -> bool:
    try:
        values = spending.check(
            form.name.data,
            form.financial_year.data,
            form.amount.data,
            form.pays_for.data,
            form.team_id.data,
            form.provider_id.data,
            form.description.data,
        )
    except Refused as exc:
        show_problems(form, exc.problems)
        return False
    if line is None:
        line = spending.add_line(values, current_user)
        flash(f"{line.name} is added to the spending plan.", "success")
    elif spending.change_line(line, values, current_user):
        flash(f"{line.name} is changed.", "success")
    else:
        flash(f"{line.name} already held those values: nothing has changed.")
    return True


def _form_page(form, heading: str):
    return render_template(
        "form_page.html",
        form=form,
        heading=heading,
        intro="Say what the line pays for: choose a team for its staffing, a provider for its contract, "
        "or describe anything else.",
        back_url=url_for("spending.index"),
    ), (400 if form.errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@role_required(CHANGERS)
def new():
    form = SpendingLineForm()
    if form.validate_on_submit() and _save(form, None):
        return redirect(url_for("spending.index"))
    return _form_page(form, "Add a spending line")


def _line_or_404(spending_id: int) -> spending.SpendingLine:
    line = db.session.get(spending.SpendingLine, spending_id)
    if line is None:
        abort(404)
    return line


@bp.route("/<int:spending_id>", methods=["GET", "POST"])
@role_required(CHANGERS)
def change(spending_id: int):
    line = _line_or_404(spending_id)
    form = SpendingLineForm()
    if not form.is_submitted():
        form.name.data = line.name
        form.financial_year.data = line.financial_year
        form.amount.data = str(line.amount)
        form.pays_for.data = line.pays_for
        form.team_id.data = str(line.team_id or "")
        form.provider_id.data = str(line.provider_id or "")
        form.description.data = line.description or ""
    elif form.validate() and _save(form, line):
        return redirect(url_for("spending.index"))
    return _form_page(form, f"Change {line.name}")


@bp.route("/<int:spending_id>/remove", methods=["GET", "POST"])
@role_required(CHANGERS)
def remove(spending_id: int):
    line = _line_or_404(spending_id)
    form = RemoveForm()
    if form.validate_on_submit():
        name = line.name
        spending.remove_line(line, current_user)
        flash(f"{name} is removed from the spending plan.", "success")
        return redirect(url_for("spending.index"))
    return render_template("funding/spending_remove.html", form=form, line=line)
