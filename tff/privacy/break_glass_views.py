"""Breaking the glass (`tff.privacy.break_glass`), and the administrators' pages of what each
role reads of a family and of the glass broken."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from tff.auth import roles
from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.cases import need_to_know
from tff.cases.access import may_read, visible_families
from tff.cases.models import Family
from tff.extensions import db
from tff.forms import show_problems
from tff.privacy import break_glass
from tff.privacy.forms import BreakGlassForm
from tff.problems import Refused

bp = Blueprint("break_glass", __name__)


@bp.app_template_global("reads")
def reads(section: str) -> bool:
    """Whether the signed-in user's role reads this section of families (for pages that show a
    piece of it among others, like the family's overview)."""
    return may_read(current_user, section)


def _next(reference: str) -> str:
    """Where to go once the glass is broken: an address of this family, never elsewhere."""
    wanted = request.values.get("next", "")
    family_prefix = url_for("cases.show", reference=reference)
    if wanted.startswith(family_prefix) or wanted.startswith("/claims/"):
        return wanted
    return family_prefix


@bp.route("/families/<reference>/break-glass/<section>", methods=["GET", "POST"])
@role_required(ALL)
def open_section(reference: str, section: str):
    if section not in need_to_know.SECTIONS:
        abort(404)
    family = db.session.scalar(visible_families(current_user).where(Family.reference == reference))
    if family is None:
        abort(404)
    if need_to_know.may_read(current_user.role, section):
        return redirect(_next(reference))
    form = BreakGlassForm()
    if form.validate_on_submit():
        try:
            break_glass.open_section(current_user, family, section, form.reason.data)
        except Refused as exc:
            show_problems(form, exc.problems)
        else:
            return redirect(_next(reference))
    return render_template(
        "privacy/break_glass.html",
        form=form,
        family=family,
        section=need_to_know.SECTIONS[section],
        next=_next(reference),
        minutes=int(break_glass.OPEN_FOR.total_seconds() // 60),
    ), (400 if form.errors else 200)


@bp.get("/admin/access")
@role_required(roles.ADMIN)
def access():
    """What each role reads of a family, and the glass broken lately."""
    role_names, rows = need_to_know.table()
    return render_template("privacy/access.html", role_names=role_names, rows=rows, broken=break_glass.recent())
