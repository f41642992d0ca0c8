import secrets
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from tff.audit.operations import record
from tff.auth import roles
from tff.auth.forms import EditUserForm, NewUserForm, SignInForm
from tff.auth.models import User
from tff.auth.operations import UserError, create_user, find_by_email, update_user
from tff.auth.passwords import verify_password
from tff.auth.permissions import role_required
from tff.auth.roles import ALL
from tff.cases.models import Team
from tff.extensions import db, limiter, login_manager
from tff.forms import show_problems
from tff.timeutil import utcnow

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to continue"
login_manager.login_message_category = "info"
# The session is bound to the user's browser: a copied cookie from elsewhere is refused.
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not token or user.session_token != token or not user.active:
        return None
    return user


def _address_key() -> str:
    # The address the request came from: behind the council's TLS proxy, the real client's,
    # once TFF_TRUSTED_PROXIES says how many proxies stand in front (ProxyFix, in create_app).
    return "address:" + (request.remote_addr or "unknown")


def _account_from_address_key() -> str:
    # An account is throttled only from the address that failed: the same account signing in
    # from anywhere else is never held up by someone guessing its password.
    return f"account:{request.form.get('email', '').strip().lower()[:320]}|{request.remote_addr or 'unknown'}"


def _failed(response) -> bool:
    # Only failed attempts count: a successful sign-in redirects.
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("pages.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], key_func=_address_key, methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_from_address_key,
    methods=["POST"],
    deduct_when=_failed,
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    form = SignInForm()
    if form.validate_on_submit():
        user = find_by_email(form.email.data)
        # Verified even for an unknown email, so the time taken tells nothing.
        password_ok = verify_password(user.password_hash if user else None, form.password.data)
        if user and user.active and password_ok:
            # A fresh session on sign-in: nothing from before it carries over.
            next_url = _safe_next(request.args.get("next"))
            session.clear()
            login_user(user)
            user.last_sign_in_at = utcnow()
            record("user.sign_in", "user", user.id, f"{user.email} signed in", user=user)
            db.session.commit()
            return redirect(next_url)
        record(
            "user.sign_in_failed",
            "user",
            user.id if user else None,
            f"Failed sign-in as {form.email.data.strip().lower()[:200]}",
        )
        db.session.commit()
        form.password.errors.append("The email address or password is not right")
    return render_template("auth/login.html", form=form), 200


@bp.post("/logout")
@role_required(ALL)
def logout():
    record("user.sign_out", "user", current_user.id, f"{current_user.email} signed out")
    # Flask's sessions live in the cookie, so a copy of it would still work after sign-out:
    # a new token makes every copy, here or elsewhere, a signed-out one.
    current_user.session_token = secrets.token_hex(16)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("auth.login"))


@bp.get("/admin/users")
@role_required(roles.ADMIN)
def users():
    people = db.session.scalars(select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("auth/users.html", users=people)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.name.data, form.role.data, form.password.data, by=current_user)
        except UserError as exc:
            show_problems(form, exc.problems)
        else:
            flash(f"{user.name} can now sign in as {user.role_name}", "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=user)
    form.team.choices = [SelectChoice(0, "No team")] + [
        SelectChoice(t.id, t.name) for t in db.session.scalars(select(Team).order_by(Team.name))
    ]
    if request.method == "GET":
        form.team.data = user.team_id or 0
    if form.validate_on_submit():
        try:
            update_user(
                user,
                current_user,
                form.name.data,
                form.role.data,
                form.active.data,
                form.password.data or None,
                team_id=form.team.data or None,
                max_caseload=form.max_caseload.data,
            )
        except UserError as exc:
            db.session.rollback()
            show_problems(form, exc.problems)
        else:
            flash(f"Saved the changes to {user.name}", "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_form.html", form=form, user=user)
