"""The home page of each role, the navigation, the GOV.UK Frontend assets and template helpers."""

from pathlib import Path

from flask import Blueprint, current_app, g, render_template, request, send_from_directory, url_for
from flask_login import current_user
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from tff.auth import roles
from tff.auth.models import User
from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.cases.access import visible_families
from tff.cases.models import CRITERIA, PROGRAMMES, STATUSES
from tff.cases.safeguarding import flagged_families
from tff.cases.signoff.operations import waiting as signoff_waiting
from tff.claims.operations import samples_waiting
from tff.extensions import db, login_manager
from tff.home import (
    claim_windows,
    coordinator_counts,
    failed_jobs,
    funding_headline,
    missing_settings,
    my_near_misses,
    outcomes_awaiting_approval,
)
from tff.jobs.operations import visible_jobs
from tff.timeutil import format_datetime

bp = Blueprint("pages", __name__)

GOVUK_ASSETS = Path(__file__).parent / "static" / "govuk" / "assets"

#: (label, endpoint, roles that see it), in the order they appear
NAVIGATION = [
    ("Home", "pages.home", ALL),
    ("Families", "cases.index", ALL),
    ("Identification", "identification.worklist", {roles.COORDINATOR}),
    ("Caseloads", "cases.caseloads", {roles.COORDINATOR, roles.MANAGER, roles.ADMIN}),
    ("Jobs", "jobs.index", ALL),
    ("Imports", "imports.index", {roles.COORDINATOR, roles.ADMIN}),
    ("Unmatched evidence", "evidence.unmatched", {roles.COORDINATOR, roles.ADMIN}),
    ("Results", "outcomes.index", {roles.COORDINATOR, roles.MANAGER, roles.FINANCE, roles.AUDITOR, roles.ADMIN}),
    ("Funding", "funding.index", {roles.MANAGER, roles.FINANCE, roles.ADMIN}),
    ("Outcome plans", "plans.index", {roles.COORDINATOR, roles.MANAGER, roles.FINANCE, roles.AUDITOR, roles.ADMIN}),
    ("Verified outcomes", "verified_outcomes.queue", {roles.MANAGER}),
    ("Claims", "claims.index", {roles.FINANCE, roles.MANAGER, roles.AUDITOR, roles.ADMIN}),
    ("Providers", "referrals.providers", {roles.COORDINATOR, roles.MANAGER, roles.ADMIN}),
    ("Audit trail", "audit.index", {roles.ADMIN, roles.AUDITOR}),
    ("Users", "auth.users", {roles.ADMIN}),
    ("Evidence settings", "evidence_settings.index", {roles.ADMIN}),
    ("Teams", "teams.teams", {roles.ADMIN}),
]


def navigation() -> list[dict]:
    if not current_user.is_authenticated:
        return []
    items = [
        {"text": label, "href": url_for(endpoint)}
        for label, endpoint, allowed in NAVIGATION
        if current_user.role in allowed
    ]
    # The current item is the one whose address matches most of the path.
    matches = [
        i for i in items if request.path == i["href"] or (i["href"] != "/" and request.path.startswith(i["href"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["href"]))["active"] = True
    return items


@bp.get("/")
@role_required(ALL)
def home():
    scoped = visible_families(current_user).subquery()
    counts = db.session.execute(
        select(scoped.c.programme, scoped.c.status, func.count()).group_by(scoped.c.programme, scoped.c.status)
    ).all()
    cohort = {programme: {status: 0 for status in STATUSES} for programme in PROGRAMMES}
    for programme, status, n in counts:
        cohort.setdefault(programme, {s: 0 for s in STATUSES})[status] = n
    jobs = db.session.scalars(visible_jobs(current_user).limit(5)).all()
    users_by_role = {}
    if current_user.role == roles.ADMIN:
        users_by_role = dict(
            db.session.execute(select(User.role, func.count()).where(User.active).group_by(User.role)).all()
        )
    flagged, flagged_total = [], 0
    if current_user.role in (roles.LEAD_WORKER, roles.COORDINATOR):
        flagged, flagged_total = flagged_families(visible_families(current_user))
    samples = []
    if current_user.role == roles.AUDITOR:
        samples = samples_waiting()
    # a manager's sign-offs waiting: closures and step downs proposed, oldest first
    sign_offs = signoff_waiting(current_user) if current_user.role == roles.MANAGER else []
    # the money drawn down of what is available, for those who read the funding page
    headline = funding_headline() if current_user.role in (roles.MANAGER, roles.FINANCE) else None
    awaiting = outcomes_awaiting_approval(current_user) if current_user.role == roles.MANAGER else 0
    windows = claim_windows() if current_user.role == roles.FINANCE else []
    waiting = coordinator_counts(current_user) if current_user.role == roles.COORDINATOR else None
    near_misses = my_near_misses(current_user) if current_user.role == roles.LEAD_WORKER else None
    is_admin = current_user.role == roles.ADMIN
    failed, unset = (failed_jobs(current_user), missing_settings()) if is_admin else ([], [])
    return render_template(
        f"home/{current_user.role}.html",
        cohort=cohort,
        total=sum(sum(row.values()) for row in cohort.values()),
        jobs=jobs,
        users_by_role=users_by_role,
        samples=samples,
        sign_offs=sign_offs,
        flagged=flagged,
        flagged_total=flagged_total,
        headline=headline,
        outcomes_awaiting=awaiting,
        windows=windows,
        waiting=waiting,
        near_misses=near_misses,
        failed_jobs=failed,
        missing_settings=unset,
    )


@bp.get("/assets/<path:filename>")
def govuk_assets(filename: str):
    # GOV.UK Frontend's stylesheet asks for its fonts and images under /assets/.
    return send_from_directory(GOVUK_ASSETS, filename, max_age=86400)


def init_app(app) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    from tff.cases.sections import family_sections

    app.jinja_env.globals.update(
        navigation=navigation,
        family_sections=family_sections,
        CRITERIA=CRITERIA,
        roles=roles,
        PROGRAMMES=PROGRAMMES,
        STATUSES=STATUSES,
    )
    app.jinja_env.filters["datetime"] = format_datetime
    # The programme's words for stored codes (tff/words.py), one table for every page.
    from tff import words

    app.jinja_env.filters.update(words.FILTERS)
    app.jinja_env.filters["number"] = lambda n: f"{n:,}" if n is not None else ""
    app.jinja_env.filters["date"] = lambda d: f"{d.day} {d:%b %Y}" if d else ""

    @app.context_processor
    def service():
        return {
            "service_name": current_app.config["SERVICE_NAME"],
            "organisation_name": current_app.config["ORGANISATION_NAME"],
        }

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        # The database refused or dropped the connection (a restart, a failover): a passing
        # fault, so the page asks to try again. The pool checks each connection before use,
        # so the next request reconnects without restarting the app.
        app.logger.error("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
            db.session.remove()
        # Drawn as for a signed-out visitor: the signed-in user's details would need the database.
        g._login_user = login_manager.anonymous_user()
        page = render_template(
            "errors/error.html",
            code=503,
            title="Sorry, the service is unavailable",
            message="The service could not use its database just now. Nothing you were changing was saved. "
            "Try again in a few minutes. If it keeps happening, tell your administrator.",
        )
        return page, 503, {"Retry-After": "30"}
