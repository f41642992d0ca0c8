"""Phase one's rate table, for administrators: the attachment fee and the three results' rates
by financial year of attachment, edited as one table (a row changed, added or removed)."""

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.evidence.settings import EvidenceSetting, SettingRefused
from tff.extensions import db
from tff.outcomes.phase1 import default_rates
from tff.outcomes.rates import COLUMN_LABELS, COLUMNS, RATES_KEY, phase1_rates, rate_problems, set_phase1_rates

bp = Blueprint("outcome_rates", __name__, url_prefix="/admin/outcomes")

#: the most rows one form may send (the table has a handful)
MOST_ROWS = 100
_ROW_FIELD = re.compile(r"^rows-(\d{1,3})-year$")
_POUNDS = re.compile(r"^\d{1,12}$")


def _rows_of(rates) -> list[dict]:
    """The form's rows of a rate table: one per year, then an empty one to add a year."""
    rows = [
        {"year": year, "new": False, "remove": False, **{c: str(getattr(rates[year], c)) for c in COLUMNS}}
        for year in sorted(rates)
    ]
    return [*rows, {"year": "", "new": True, "remove": False, **dict.fromkeys(COLUMNS, "")}]


def _sent_rows() -> list[dict]:
    """The rows the form sent, in their order."""
    indices = sorted({int(found.group(1)) for key in request.form if (found := _ROW_FIELD.match(key))})
    return [
        {
            "year": (request.form.get(f"rows-{i}-year") or "").strip(),
            "new": request.form.get(f"rows-{i}-new") == "1",
            "remove": request.form.get(f"rows-{i}-remove") == "1",
            **{c: (request.form.get(f"rows-{i}-{c}") or "").strip() for c in COLUMNS},
        }
        for i in indices[:MOST_ROWS]
    ]


def _pounds(text: str):
    """A whole number of pounds as people type it (£1,400 or 1400); anything else as sent, for
    the check to name."""
    plain = text.replace("£", "").replace(",", "").strip()
    return int(plain) if _POUNDS.match(plain) else (text or None)


def _table_and_problems(rows: list[dict]) -> tuple[dict, dict[str, str]]:
    """(the rate table the rows make, field -> problem), field names as the form's."""
    table: dict[str, dict] = {}
    index_of: dict[str, int] = {}
    problems: dict[str, str] = {}
    for i, row in enumerate(rows):
        if row["remove"] or (row["new"] and not row["year"] and not any(row[c] for c in COLUMNS)):
            continue
        if row["year"] in table:
            problems[f"rows-{i}-year"] = f"{row['year']}: the financial year is given twice; remove one of its rows"
            continue
        table[row["year"]] = {c: _pounds(row[c]) for c in COLUMNS}
        index_of[row["year"]] = i
    for key, problem in rate_problems(table).items():
        year, _, column = key.rpartition(".")
        if year in index_of:
            problems[f"rows-{index_of[year]}-{column}"] = problem
        else:
            problems[key] = problem
    return table, problems


def _in_form_order(field: str) -> tuple[int, int]:
    """Row, then column (the year first), of a field; other problems first."""
    found = re.match(r"^rows-(\d+)-(\w+)$", field)
    if not found:
        return (-1, 0)
    column = found.group(2)
    return (int(found.group(1)), COLUMNS.index(column) + 1 if column in COLUMNS else 0)


def _stored() -> bool:
    return db.session.get(EvidenceSetting, RATES_KEY) is not None


@bp.route("/rates", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def rates():
    rows, problems = _rows_of(phase1_rates()), {}
    if request.method == "POST":
        rows = _sent_rows()
        table, problems = _table_and_problems(rows)
        if not problems:
            try:
                set_phase1_rates(table, current_user)
            except SettingRefused as exc:
                db.session.rollback()
                problems = exc.problems
            else:
                flash("The phase one rates have been saved", "success")
                return redirect(url_for("outcome_rates.rates"))
        if not any(row["new"] for row in rows):
            rows.append(_rows_of({})[0])
    return render_template(
        "outcomes/rates.html",
        current=phase1_rates(),
        stored=_stored(),
        defaults=default_rates(),
        columns=COLUMNS,
        labels=COLUMN_LABELS,
        rows=rows,
        problems=problems,
        error_list=[
            {"text": problems[field], "href": f"#{field}" if field.startswith("rows-") else "#rates-form"}
            for field in sorted(problems, key=_in_form_order)
        ],
    ), (400 if problems else 200)
