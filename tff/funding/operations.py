"""Recording attachment fees received, and setting each programme's end date (audited, in the
change's own transaction)."""

import re
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from tff.audit.operations import record
from tff.cases.models.family import PROGRAMMES
from tff.claims.models import SUBMITTED, ClaimBatch, ClaimWindow
from tff.extensions import db
from tff.funding.models import AttachmentFeeReceipt, ProgrammeEnd
from tff.problems import Refused

FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def record_fees(programme: str, financial_year: str, amount: int | None, received_on: date | None, note, user):
    problems = {}
    if programme not in PROGRAMMES:
        problems["programme"] = "Choose the programme the fees are for"
    year = (financial_year or "").strip()
    found = FINANCIAL_YEAR.match(year)
    if not found or (int(found[1]) + 1) % 100 != int(found[2]):
        problems["financial_year"] = "Enter the financial year of attachment like 2013/14"
    if amount is None or amount <= 0:
        problems["amount"] = "Enter the amount received in whole pounds, more than 0"
    if received_on is None:
        problems["received_on"] = "Enter the date the fees were received"
    if problems:
        raise Refused(problems)
    receipt = AttachmentFeeReceipt(
        programme=programme,
        financial_year=year,
        amount=amount,
        received_on=received_on,
        note=(note or "").strip() or None,
        recorded_by_id=user.id if user else None,
    )
    db.session.add(receipt)
    db.session.flush()
    record(
        "attachment_fees.receive",
        "attachment_fee_receipt",
        receipt.id,
        f"Attachment fees of £{amount:,} received on {received_on.isoformat()} for {PROGRAMMES[programme]} "
        f"families attached in {year}",
        None,
        {"programme": programme, "financial_year": year, "amount": amount, "received_on": received_on},
        user=user,
    )
    db.session.commit()
    return receipt


@dataclass(frozen=True)
class End:
    programme: str
    ends_on: date
    #: False when no administrator has set it and the configured default applies
    is_set: bool

    @property
    def label(self) -> str:
        return PROGRAMMES.get(self.programme, self.programme)


def default_end(programme: str = "phase1") -> date:
    """The day a programme's funding ends when no administrator has set one: its own
    configured default (phase one's is `PROGRAMME_END`, the others' `PROGRAMME_ENDS`), since
    the programmes ran years apart and one date cannot end all of them."""
    configured = current_app.config.get("PROGRAMME_ENDS", {}).get(programme)
    if programme == "phase1" or configured is None:
        configured = current_app.config["PROGRAMME_END"]
    return configured if isinstance(configured, date) else date.fromisoformat(configured)


def default_ends() -> dict[str, End]:
    """Every programme's default end date, set by no one."""
    return {p: End(p, default_end(p), False) for p in PROGRAMMES}


def programme_ends() -> dict[str, End]:
    """Every programme's end date: the administrator's setting, or the programme's default."""
    stored = dict(db.session.execute(select(ProgrammeEnd.programme, ProgrammeEnd.ends_on)).all())
    return {p: End(p, stored[p], True) if p in stored else default for p, default in default_ends().items()}


def first_submitted_window() -> date | None:
    return db.session.scalar(
        select(func.min(ClaimWindow.as_of))
        .join(ClaimBatch, ClaimBatch.window_id == ClaimWindow.id)
        .where(ClaimBatch.state == SUBMITTED)
    )


def end_problems(programme: str | None, ends_on: date | None) -> dict[str, str]:
    """What is wrong with a programme's new end date, by field."""
    problems = {}
    if programme not in PROGRAMMES:
        problems["programme"] = "Choose the programme whose end date to set"
    if ends_on is None:
        problems["ends_on"] = "Enter the day the programme’s funding ends, like 30 4 2015"
    else:
        # the trajectory runs from the first submitted window to the end: it needs some time
        first = first_submitted_window()
        if first is not None and ends_on <= first:
            problems["ends_on"] = f"The end date must be after the first submitted claim window, {first:%-d %B %Y}"
    return problems


def set_programme_end(programme: str, ends_on: date | None, user) -> ProgrammeEnd | None:
    """Set the day a programme's funding ends. Returns None when it already ends that day."""
    if problems := end_problems(programme, ends_on):
        raise Refused(problems)
    setting = db.session.get(ProgrammeEnd, programme)
    if setting is not None and setting.ends_on == ends_on:
        return None
    before = {"ends_on": setting.ends_on if setting else default_end(programme), "set": setting is not None}
    if setting is None:
        setting = ProgrammeEnd(programme=programme, ends_on=ends_on)
        db.session.add(setting)
    setting.ends_on = ends_on
    setting.updated_by_id = user.id if user else None
    db.session.flush()
    record(
        "programme_end.set",
        "programme_end",
        programme,
        f"{PROGRAMMES[programme]} ends on {ends_on:%-d %B %Y} (was {before['ends_on']:%-d %B %Y}"
        f"{'' if before['set'] else ', the default'})",
        before,
        {"ends_on": ends_on, "set": True},
        user=user,
    )
    db.session.commit()
    return setting
