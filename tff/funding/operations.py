"""Recording attachment fees received (audited, in the change's own transaction)."""

import re
from datetime import date

from tff.audit.operations import record
from tff.cases.models.family import PROGRAMMES
from tff.extensions import db
from tff.funding.models import AttachmentFeeReceipt

FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


class FeeRefused(Exception):
    """The receipt cannot be recorded: `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(problems.values()))
        self.problems = problems


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
        raise FeeRefused(problems)
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
