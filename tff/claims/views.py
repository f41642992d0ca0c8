"""The claims pages: claim windows, assembling a window's draft (a job), review of its lines,
internal audit's sample (line by line, and started again), checking and submitting the claim,
exports, the printable claim schedule and payments."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from werkzeug.datastructures import Headers

from tff.auth import roles
from tff.auth.models import User
from tff.auth.permissions import has_role, role_required
from tff.cases.access import visible_families
from tff.cases.models import Family
from tff.claims import evidence as claim_evidence
from tff.claims import operations
from tff.claims.forms import (
    ActionForm,
    AuditForm,
    ClawbackForm,
    PaymentForm,
    RestartAuditForm,
    ReversalForm,
    ReviewForm,
    SubmitClaimForm,
    WindowForm,
)
from tff.claims.models import DRAFT, ClaimLine, ClaimWindow
from tff.extensions import db
from tff.forms import show_problems
from tff.inputs import as_int, query_int
from tff.jobs.models import Job
from tff.jobs.operations import QueueUnavailable, mark_stale_jobs
from tff.outcomes.views import TITLES
from tff.privacy.operations import log_view

bp = Blueprint("claims", __name__, url_prefix="/claims")

#: who may read claims (money and family references, no family's details)
READERS = (roles.FINANCE, roles.MANAGER, roles.AUDITOR, roles.ADMIN)
#: who prepares and submits claims
FINANCE = (roles.FINANCE, roles.ADMIN)
#: who records money against a submitted claim (payments, their reversals, clawbacks): the
#: finance officers, who answer for the council's accounts
PAYERS = (roles.FINANCE,)
#: who checks the audit sample
AUDITORS = (roles.AUDITOR, roles.ADMIN)
#: lines listed on a window's page; the lines CSV has them all
LINES_SHOWN = 500


def _window(window_id: int) -> ClaimWindow:
    return db.session.get(ClaimWindow, window_id) or abort(404)


def _line(window: ClaimWindow, line_id: int) -> ClaimLine:
    line = db.session.get(ClaimLine, line_id)
    if line is None or line.batch_id != window.batch.id:
        abort(404)
    return line


def line_status(line: ClaimLine) -> str:
    """rejected or verified (by internal audit), excluded, sampled or included."""
    if line.audit_state:
        return line.audit_state
    if line.excluded:
        return "excluded"
    return "sampled" if line.sampled else "included"


def _latest_job(window: ClaimWindow) -> Job | None:
    """The window's most recent assembly job, if any."""
    jobs = db.session.scalars(select(Job).where(Job.kind == operations.JOB_KIND).order_by(Job.id.desc()).limit(200))
    return next((job for job in jobs if job.params.get("window_id") == window.id), None)


def _name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return user.name if user else "The system (command line)"


@bp.get("/")
@role_required(READERS)
def index():
    windows = db.session.scalars(select(ClaimWindow).order_by(ClaimWindow.as_of.desc(), ClaimWindow.name)).all()
    rows = [(window, operations.state_of(window), operations.balance(window)) for window in windows]
    return render_template("claims/index.html", rows=rows, can_create=has_role(*FINANCE))


@bp.route("/new", methods=["GET", "POST"])
@role_required(FINANCE)
def new():
    form = WindowForm()
    if form.validate_on_submit():
        try:
            window = operations.create_window(
                form.name.data,
                form.as_of.data,
                form.opens.data,
                form.closes.data,
                form.sample_percent.data,
                user=current_user,
            )
        except operations.ClaimRefused as exc:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(exc)]
        else:
            flash(f"Claim window {window.name} created", "success")
            return redirect(url_for("claims.show", window_id=window.id))
    return render_template(
        "form_page.html",
        form=form,
        heading="Create a claim window",
        intro="A claim window's draft claim is assembled from every attached family's results as of its date. "
        "Internal audit checks its sample of the lines before the claim is submitted.",
        back_url=url_for("claims.index"),
    )


def _show(
    window: ClaimWindow,
    errors: list[str] | None = None,
    payment_form: PaymentForm | None = None,
    confirm_over: bool = False,
):
    mark_stale_jobs()
    batch = window.batch
    job = _latest_job(window)
    lines = db.session.scalars(
        select(ClaimLine)
        .where(ClaimLine.batch_id == batch.id)
        .order_by(ClaimLine.family_ref, ClaimLine.outcome)
        .limit(LINES_SHOWN)
    ).all()
    count = db.session.scalar(select(func.count()).where(ClaimLine.batch_id == batch.id))
    included = db.session.scalar(select(func.count()).where(ClaimLine.batch_id == batch.id, ~ClaimLine.excluded))
    sample = db.session.scalars(
        select(ClaimLine).where(ClaimLine.batch_id == batch.id, ClaimLine.sampled).order_by(ClaimLine.family_ref)
    ).all()
    money = operations.balance(window)
    payments = operations.ledger(window)
    draft = batch.state == DRAFT
    undecided = operations.undecided_families(window, visible_families(current_user))
    overridden = _overrides(select(ClaimLine.family_id).where(ClaimLine.batch_id == batch.id))
    rejected_before = operations.rejected_before(window, list({line.family_id for line in lines}))
    errors = errors or []
    if payment_form is not None:
        errors += [
            {"text": field.errors[0], "href": f"#{field.id}"}
            for field in payment_form
            if field.errors and field.name != "csrf_token"
        ]
    return render_template(
        "claims/show.html",
        window=window,
        batch=batch,
        state=operations.state_of(window),
        job=job,
        assembling=job is not None and not job.finished,
        waiting=job is not None and job.waiting_for_worker,
        lines=lines,
        count=count,
        included=included,
        shown=LINES_SHOWN,
        sample=sample,
        sample_left=operations.sample_left(window),
        claimed=money.claimed,
        money=money,
        balance_words=operations.balance_words(money.claimed, money.paid),
        payments=payments,
        by_id={p.id: p for p in payments},
        reversed_ids={p.reverses_id: p for p in payments if p.reverses_id},
        describe=operations.describe,
        names={p.id: _name(p.recorded_by_id) for p in payments},
        draft=draft,
        status_of=line_status,
        titles=TITLES,
        errors=[e if isinstance(e, dict) else {"text": e} for e in errors],
        action=ActionForm(),
        payment_form=payment_form or PaymentForm(formdata=None),
        confirm_over=confirm_over,
        can_prepare=has_role(*FINANCE),
        can_restart=has_role(*AUDITORS),
        checked=sum(1 for line in sample if line.audit_state),
        can_pay=has_role(*PAYERS),
        undecided=undecided,
        overridden=overridden,
        rejected_before=rejected_before,
    )


def _overrides(family_ids) -> dict[int, str]:
    """family id -> the recorded reason, for those of these families attached without meeting
    the criteria: their lines are marked, as the attachment rests on the reason."""
    return dict(
        db.session.execute(
            select(Family.id, Family.attach_override_reason).where(
                Family.id.in_(family_ids), Family.attach_override_reason.is_not(None)
            )
        ).all()
    )


@bp.get("/<int:window_id>")
@role_required(READERS)
def show(window_id: int):
    return _show(_window(window_id))


@bp.get("/<int:window_id>/status")
@role_required(READERS)
def status(window_id: int):
    mark_stale_jobs()
    job = _latest_job(_window(window_id)) or abort(404)
    return jsonify(job.status())


def _act(window_id: int, change, done: str):
    """Make a change asked for by a button: refused changes are shown on the window's page."""
    window = _window(window_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        change(window)
    except operations.ClaimRefused as exc:
        db.session.rollback()
        return _show(window, errors=[str(exc)])
    flash(done.format(name=window.name), "success")
    return redirect(url_for("claims.show", window_id=window.id))


@bp.post("/<int:window_id>/assemble")
@role_required(FINANCE)
def assemble(window_id: int):
    def start(window):
        try:
            operations.start_assembly(window, user=current_user)
        except QueueUnavailable as exc:  # the job is recorded as failed: the page shows it and why
            raise operations.ClaimRefused(str(exc)) from exc

    return _act(window_id, start, "Assembly of the claim for {name} started")


@bp.post("/<int:window_id>/sample")
@role_required(FINANCE)
def sample(window_id: int):
    return _act(
        window_id, lambda window: operations.draw_sample(window, user=current_user), "Audit sample of {name} drawn"
    )


@bp.route("/<int:window_id>/audit/restart", methods=["GET", "POST"])
@role_required(AUDITORS)
def restart_audit(window_id: int):
    """Start internal audit's check of the draft again, with the reason: its checks are
    cleared and a new sample is drawn."""
    window = _window(window_id)
    if window.batch.state != DRAFT:
        flash(f"The claim for {window.name} has been submitted: its audit is finished.", "error")
        return redirect(url_for("claims.show", window_id=window.id))
    form = RestartAuditForm()
    if form.validate_on_submit():
        try:
            chosen = operations.restart_audit(window, form.reason.data, user=current_user)
        except operations.ClaimRefused as exc:
            db.session.rollback()
            show_problems(form, {"reason": str(exc)})
        else:
            flash(
                f"The audit of {window.name} was started again: a new sample of {len(chosen):,} "
                f"{'line' if len(chosen) == 1 else 'lines'} is drawn",
                "success",
            )
            return redirect(url_for("claims.show", window_id=window.id))
    checked = operations.sample_checked(window)
    return render_template(
        "form_page.html",
        form=form,
        caption=f"Claim window {window.name}",
        heading="Start the audit again",
        intro=f"Internal audit has checked {checked:,} {'line' if checked == 1 else 'lines'} of the sample of "
        f"the claim for {window.name}. Starting again clears every check, includes again the lines excluded "
        "only because internal audit rejected them, and draws a new sample. The audit trail keeps the checks "
        "and your reason.",
        back_url=url_for("claims.show", window_id=window.id),
    )


def _check(window: ClaimWindow, form: SubmitClaimForm | None = None, errors=None):
    answers = operations.answers(window)
    undecided = operations.undecided_families(window, visible_families(current_user))
    problems = [*(errors or []), *answers.problems]
    return render_template(
        "claims/check.html",
        window=window,
        answers=answers,
        titles=TITLES,
        undecided=undecided,
        form=form or SubmitClaimForm(formdata=None),
        errors=[{"text": problem} for problem in dict.fromkeys(problems)],
        can_submit=not answers.problems,
    )


@bp.get("/<int:window_id>/submit")
@role_required(FINANCE)
def check(window_id: int):
    """Check your answers before submitting: what the claim would send, and a button to send it."""
    window = _window(window_id)
    if window.batch.state != DRAFT:
        return redirect(url_for("claims.show", window_id=window.id))
    return _check(window)


@bp.post("/<int:window_id>/submit")
@role_required(FINANCE)
def submit(window_id: int):
    """Submit the claim, from its check-your-answers page only: a post without the page's
    confirmation goes to the page."""
    window = _window(window_id)
    form = SubmitClaimForm()
    if not form.validate_on_submit():
        abort(400)
    if form.confirmed.data != "checked":
        return redirect(url_for("claims.check", window_id=window.id), 303)
    left_out = operations.undecided_families(window, visible_families(current_user))
    try:
        operations.submit(window, user=current_user)
    except operations.ClaimRefused as exc:
        db.session.rollback()
        if window.batch.state != DRAFT:
            return _show(window, errors=[str(exc)])
        return _check(window, form, errors=[str(exc)])
    done = f"Claim for {window.name} submitted"
    if left_out:
        done += ", without the families that could not be decided: " + ", ".join(f.family_ref for f in left_out)
    flash(done, "success")
    return redirect(url_for("claims.show", window_id=window.id))


@bp.post("/<int:window_id>/payments")
@role_required(PAYERS)
def payment(window_id: int):
    """Record a payment; one above what is outstanding asks, with a checkbox shown only then,
    whether it is really meant."""
    window = _window(window_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        return _show(window, payment_form=form, confirm_over=bool(form.confirm_over.data))
    try:
        operations.record_payment(
            window,
            form.amount.data,
            form.paid_on.data,
            form.note.data or None,
            user=current_user,
            over_outstanding=bool(form.confirm_over.data),
        )
    except operations.OverOutstanding as exc:
        db.session.rollback()
        form.confirm_over.errors = [str(exc)]
        return _show(window, payment_form=form, confirm_over=True)
    except operations.ClaimRefused as exc:
        db.session.rollback()
        return _show(window, errors=[str(exc)], payment_form=form)
    flash(f"Payment of £{form.amount.data:,} recorded for {window.name}", "success")
    return redirect(url_for("claims.show", window_id=window.id))


@bp.route("/<int:window_id>/reversal", methods=["GET", "POST"])
@role_required(PAYERS)
def reversal(window_id: int):
    """Reverse a payment or clawback keyed by mistake: the entry stays, and an entry of the
    opposite amount, with the reason, corrects it."""
    window = _window(window_id)
    form = ReversalForm()
    if request.method == "GET":
        form.entry.data = request.args.get("entry", "")
    entry_id = query_int("entry") if request.method == "GET" else as_int(form.entry.data)
    try:
        entry = operations.get_entry(window, entry_id)
    except operations.ClaimRefused:
        abort(404)
    form.submit.label.text = f"Reverse the {entry.kind}"
    problems = []
    if form.validate_on_submit():
        try:
            operations.reverse(window, entry, form.reason.data, user=current_user)
        except operations.ClaimRefused as exc:
            db.session.rollback()
            problems = [str(exc)]
        else:
            flash(f"{operations.describe(entry, start=True)} was reversed", "success")
            return redirect(url_for("claims.show", window_id=window.id))
    errors = [{"text": problem} for problem in problems] + [
        {"text": messages[0], "href": f"#{getattr(form, name).id}"}
        for name, messages in form.errors.items()
        if name in form._fields and name != "entry"
    ]
    return render_template(
        "claims/reversal.html",
        window=window,
        entry=entry,
        entry_words=operations.describe(entry),
        recorded_by=_name(entry.recorded_by_id),
        form=form,
        errors=errors,
    )


@bp.route("/<int:window_id>/clawback", methods=["GET", "POST"])
@role_required(PAYERS)
def clawback(window_id: int):
    """Record what a spot check took back from the window's submitted claim."""
    window = _window(window_id)
    form = ClawbackForm()
    if form.validate_on_submit():
        try:
            operations.claw_back(
                window, form.amount.data, form.clawed_back_on.data, form.reason.data, user=current_user
            )
        except operations.ClaimRefused as exc:
            db.session.rollback()
            form.amount.errors = [*form.amount.errors, str(exc)]
        else:
            flash(f"Clawback of £{form.amount.data:,} recorded against {window.name}", "success")
            return redirect(url_for("claims.show", window_id=window.id))
    money = operations.balance(window)
    return render_template(
        "form_page.html",
        form=form,
        caption=f"Claim window {window.name}",
        heading="Record a spot check’s clawback",
        intro=f"Money the government took back from the claim for {window.name} after its spot check. "
        f"The claim is £{money.claimed:,}, of which £{money.clawed_back:,} was clawed back before. "
        "It is taken off what the claim has drawn down.",
        back_url=url_for("claims.show", window_id=window.id),
    )


def _review_form(line: ClaimLine, empty: bool = False) -> ReviewForm:
    form = ReviewForm(formdata=None) if empty else ReviewForm()
    form.reason.label.text = "Why is the line included again?" if line.excluded else "Why is the line excluded?"
    form.submit.label.text = "Include the line again" if line.excluded else "Exclude the line"
    return form


def _show_line(window: ClaimWindow, line: ClaimLine, review=None, audit=None, errors=None):
    draft = window.batch.state == DRAFT
    auditing = draft and has_role(*AUDITORS) and line.sampled
    not_yours = operations.cannot_check(window, line, current_user) if auditing else None
    family = db.session.scalar(visible_families(current_user).where(Family.id == line.family_id))
    if family is not None:
        log_view(current_user, family)  # the page shows the family's records, frozen with the line
    review = review or _review_form(line, empty=True)
    audit = audit or AuditForm(formdata=None)
    errors = list(errors or [])
    for form in (review, audit):
        errors += [
            {"text": problems[0], "href": f"#{getattr(form, name).id}"}
            for name, problems in form.errors.items()
            if name in form._fields
        ]
    return render_template(
        "claims/line.html",
        window=window,
        line=line,
        status=line_status(line),
        titles=TITLES,
        frozen=claim_evidence.of_line(line),
        excluded_by=_name(line.excluded_by_id) if line.excluded_at else None,
        override=_overrides([line.family_id]).get(line.family_id),
        audited_by=_name(line.audited_by_id) if line.audited_at else None,
        review=review if draft and has_role(*FINANCE) and line.audit_state != "rejected" else None,
        audit=audit if auditing and not not_yours else None,
        not_yours=not_yours,
        family_link=Markup('<a class="govuk-link" data-family-link href="{}">{}</a>').format(
            url_for("cases.show", reference=family.reference), family.reference
        )
        if family
        else None,
        rejections=operations.rejected_before(window, [line.family_id]).get(line.family_id, []),
        left=operations.sample_left(window) if line.sampled else 0,
        errors=[e if isinstance(e, dict) else {"text": e} for e in errors],
    )


@bp.get("/<int:window_id>/lines/<int:line_id>")
@role_required(READERS)
def line(window_id: int, line_id: int):
    window = _window(window_id)
    return _show_line(window, _line(window, line_id))


@bp.post("/<int:window_id>/lines/<int:line_id>/review")
@role_required(FINANCE)
def review(window_id: int, line_id: int):
    window = _window(window_id)
    line = _line(window, line_id)
    form = _review_form(line)
    if not form.validate_on_submit():
        return _show_line(window, line, review=form)
    excluding = not line.excluded
    try:
        change = operations.exclude if excluding else operations.include
        change(window, line, form.reason.data, user=current_user)
    except operations.ClaimRefused as exc:
        db.session.rollback()
        return _show_line(window, _line(window, line_id), review=form, errors=[str(exc)])
    flash(f"{line.family_ref} {line.outcome} {'excluded' if excluding else 'included again'}", "success")
    return redirect(url_for("claims.line", window_id=window.id, line_id=line.id))


@bp.post("/<int:window_id>/lines/<int:line_id>/audit")
@role_required(AUDITORS)
def audit(window_id: int, line_id: int):
    window = _window(window_id)
    line = _line(window, line_id)
    form = AuditForm()
    if not form.validate_on_submit():
        return _show_line(window, line, audit=form)
    reject = bool(form.reject.data)
    try:
        operations.verify(window, line, form.note.data, reject=reject, user=current_user)
    except operations.ClaimRefused as exc:
        db.session.rollback()
        return _show_line(window, _line(window, line_id), audit=form, errors=[str(exc)])
    result = TITLES.get(line.outcome, line.outcome)
    done = f"{line.family_ref} {result}: {'rejected and excluded' if reject else 'verified'}"
    following = operations.next_to_check(window, after=line, user=current_user)
    if following is None:
        left = operations.sample_left(window)
        if left:
            flash(
                f"{done}. The {left:,} sampled {'line' if left == 1 else 'lines'} still to check "
                "must be checked by someone else.",
                "success",
            )
        else:
            flash(f"{done}. Every sampled line is checked.", "success")
        return redirect(url_for("claims.show", window_id=window.id))
    flash(f"{done}. This is the next sampled line to check.", "success")
    return redirect(url_for("claims.line", window_id=window.id, line_id=following.id))


def _download(window: ClaimWindow, body, what: str) -> Response:
    """Stream CSV text; the window and its batch are loaded first, for the stream reads them."""
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=f"claim-{window.name}-{what}.csv")
    return Response(stream_with_context(body), mimetype="text/csv; charset=utf-8", headers=headers)


@bp.get("/<int:window_id>/lines.csv")
@role_required(READERS)
def lines_csv(window_id: int):
    window = _window(window_id)
    db.session.refresh(window.batch)
    return _download(window, operations.export_lines(window), "lines")


@bp.get("/<int:window_id>/summary.csv")
@role_required(READERS)
def summary_csv(window_id: int):
    window = _window(window_id)
    return _download(window, operations.export_summary(window), "summary")


@bp.get("/<int:window_id>/schedule")
@role_required(READERS)
def schedule(window_id: int):
    window = _window(window_id)
    rows = operations.summary(window)
    batch = window.batch
    return render_template(
        "claims/schedule.html",
        window=window,
        batch=batch,
        state=operations.state_of(window),
        rows=rows,
        # a family with several results claimed is one family
        families=db.session.scalar(
            select(func.count(func.distinct(ClaimLine.family_id))).where(
                ClaimLine.batch_id == batch.id, ~ClaimLine.excluded
            )
        ),
        amount=sum(row[3] for row in rows),
        titles=TITLES,
        submitted_by=_name(batch.submitted_by_id) if batch.submitted_at else None,
        undecided=operations.undecided_families(window, visible_families(current_user)),
    )
