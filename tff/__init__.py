"""tff: case management for the Troubled Families payment-by-results programme."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

import config as config_module
from tff.extensions import SQLITE_BUSY_TIMEOUT_MS, csrf, db, limiter, login_manager, migrate


def create_app(config: config_module.Config | None = None, **overrides) -> Flask:
    config = config or config_module.load()
    app = Flask(__name__, instance_path=str(config_module.INSTANCE))
    app.config.from_object(config)
    app.config.update(overrides)
    if proxies := app.config.get("TRUSTED_PROXIES"):
        # Behind the TLS proxy: the client's own address (sign-in throttling, the audit
        # trail), scheme and host, as the trusted proxies pass them on.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from tff import converters

    converters.init_app(app)  # before any page's rule is added

    from tff.auth import passwords

    passwords.configure(app.config["ARGON2_PARAMETERS"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(config_module.ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)

    from tff import models, tasks  # noqa: F401  (every model and job, registered once)
    from tff.jobs.celery import celery_init_app

    celery_init_app(app)

    from tff import inputs, pages, security

    inputs.init_app(app)  # before the blueprints: their `<int:...>` rules use its converter

    from tff.audit.views import bp as audit_bp
    from tff.auth.views import bp as auth_bp
    from tff.cases.caf.views import bp as caf_bp
    from tff.cases.progress.views import bp as progress_bp
    from tff.cases.referrals.views import bp as referrals_bp
    from tff.cases.signoff.views import bp as signoff_bp
    from tff.cases.views import bp as cases_bp
    from tff.cases.views import teams_bp
    from tff.claims.pack_views import bp as claim_packs_bp
    from tff.claims.spot_checks.views import bp as spot_checks_bp
    from tff.claims.views import bp as claims_bp
    from tff.evidence.manual_views import bp as family_evidence_bp
    from tff.evidence.settings_views import bp as evidence_settings_bp
    from tff.evidence.views import bp as evidence_bp
    from tff.funding.spending_views import bp as spending_bp
    from tff.funding.views import bp as funding_bp
    from tff.funding.views import settings_bp as funding_settings_bp
    from tff.identification.criteria_views import bp as family_criteria_bp
    from tff.identification.settings_views import bp as identification_settings_bp
    from tff.identification.worklist_views import bp as identification_bp
    from tff.imports.views import bp as imports_bp
    from tff.jobs.views import bp as jobs_bp
    from tff.outcomes.evaluation_views import bp as outcomes_bp
    from tff.outcomes.plan_versions.views import bp as plans_bp
    from tff.outcomes.rates_views import bp as outcome_rates_bp
    from tff.outcomes.verified.views import bp as verified_outcomes_bp
    from tff.outcomes.views import bp as family_results_bp
    from tff.privacy.break_glass_views import bp as break_glass_bp
    from tff.privacy.subject_access_views import bp as subject_access_bp
    from tff.privacy.views import bp as privacy_bp

    for bp in (
        pages.bp,
        auth_bp,
        audit_bp,
        jobs_bp,
        cases_bp,
        family_criteria_bp,
        identification_bp,
        identification_settings_bp,
        teams_bp,
        imports_bp,
        evidence_settings_bp,
        caf_bp,
        progress_bp,
        referrals_bp,
        signoff_bp,
        evidence_bp,
        family_evidence_bp,
        family_results_bp,
        outcomes_bp,
        plans_bp,
        funding_bp,
        funding_settings_bp,
        spending_bp,
        verified_outcomes_bp,
        outcome_rates_bp,
        claims_bp,
        claim_packs_bp,
        spot_checks_bp,
        privacy_bp,
        subject_access_bp,
        break_glass_bp,
    ):
        app.register_blueprint(bp)
    security.init_app(app)
    pages.init_app(app)

    from tff.auth.cli import users_cli
    from tff.claims.cli import claims_cli
    from tff.demo.cli import demo_cli
    from tff.funding.cli import funding_cli
    from tff.identification.cli import identify_command
    from tff.imports.cli import import_command
    from tff.outcomes.cli import outcomes_command
    from tff.outcomes.plan_versions.cli import plans_cli
    from tff.privacy.cli import privacy_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(claims_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(funding_cli)
    app.cli.add_command(identify_command)
    app.cli.add_command(import_command)
    app.cli.add_command(outcomes_command)
    app.cli.add_command(plans_cli)
    app.cli.add_command(privacy_cli)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    # WAL lets the web app read while a worker writes; foreign keys are off by default.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
