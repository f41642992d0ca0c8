"""The one scoping function for family data, and the one door to a family's pages.

Every list, search, page and export of families starts from `visible_families(user)`, so
no view can forget whose families a user may see. Lead workers see the families they lead
and those whose Team Around the Family they are on; the other roles work across the
programme.

`get_family_or_404` is how every page of a family finds it: it also asks what of the family
the user's role may read (`tff.cases.need_to_know`) for the address being answered, and sends
anyone whose work does not need that section to break the glass first.
"""

from urllib.parse import quote

from flask import abort, has_request_context, redirect, request, url_for
from sqlalchemy import Select, false, or_, select

from tff.auth import roles
from tff.cases import need_to_know
from tff.cases.models import Family, TafMember
from tff.extensions import db
from tff.privacy import break_glass
from tff.privacy.operations import log_view

#: roles that see every family; any role not named here sees only its own
PROGRAMME_WIDE = frozenset({roles.COORDINATOR, roles.FINANCE, roles.MANAGER, roles.AUDITOR, roles.ADMIN})


def visible_families(user) -> Select:
    query = select(Family)
    if user is None or not user.is_authenticated or not user.is_active:
        return query.where(false())
    if user.role in PROGRAMME_WIDE:
        return query
    on_taf = select(TafMember.family_id).where(TafMember.user_id == user.id, TafMember.left_on.is_(None))
    return query.where(or_(Family.lead_worker_id == user.id, Family.id.in_(on_taf)))


def get_family_or_404(user, reference: str) -> Family:
    """The family with this reference, if the user may see it; 404 otherwise (never 403,
    which would confirm that the family exists)."""
    family = db.session.scalar(visible_families(user).where(Family.reference == reference))
    if family is None:
        abort(404)
    through_glass = None
    if has_request_context():
        section = need_to_know.section_of(request.endpoint)
        if section is None:
            abort(403)  # an address of a family's data that names no section: refused to all
        if not need_to_know.may_read(user.role, section):
            if not break_glass.is_open(user, family, section):
                if request.method != "GET":
                    abort(403)
                there = url_for("break_glass.open_section", reference=family.reference, section=section)
                abort(redirect(f"{there}?next={quote(request.full_path.rstrip('?'))}"))
            through_glass = section
    # Here, and only once the family is found: every page of a family is logged, a refusal is not.
    log_view(user, family, through_glass)
    return family


def may_read(user, section: str) -> bool:
    """Whether the signed-in user reads this section of families (for pages that offer it)."""
    return user is not None and user.is_authenticated and need_to_know.may_read(user.role, section)
