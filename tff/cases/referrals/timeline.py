"""Referrals' and step up and step down's sources for the family's timeline."""

from flask import url_for
from sqlalchemy import select

from tff.cases.progress.timeline import Entry, source
from tff.cases.referrals.models import (
    ACCEPTED,
    CLOSED,
    CLOSURE_OUTCOMES,
    DECLINED,
    REQUESTED,
    CareLevelChange,
    Referral,
    ReferralTransition,
)
from tff.extensions import db


@source("referral", "Referrals")
def _referrals(family):
    moves = (
        select(ReferralTransition, Referral)
        .join(Referral, ReferralTransition.referral_id == Referral.id)
        .where(Referral.family_id == family.id)
    )
    for move, referral in db.session.execute(moves):
        name = referral.provider.name
        title, detail = {
            REQUESTED: (f"Referred to {name}", referral.reason),
            ACCEPTED: (f"Referral accepted by {name}", move.note),
            DECLINED: (f"Referral declined by {name}", move.note),
            CLOSED: (
                f"Referral to {name} closed: {CLOSURE_OUTCOMES.get(move.outcome, move.outcome or '').lower()}",
                move.note,
            ),
        }[move.to_state]
        yield Entry(
            on=move.on,
            kind="referral",
            title=title,
            detail=detail,
            by=move.by.name if move.by else None,
            at=move.at,
            url=url_for("referrals.show", reference=family.reference, referral_id=referral.id),
        )


@source("level", "Step up and step down")
def _levels(family):
    for change in db.session.scalars(select(CareLevelChange).where(CareLevelChange.family_id == family.id)):
        title = (
            f"{change.direction} from {change.from_label} to {change.to_label}"
            if change.from_level
            else f"Level of support: {change.to_label}"
        )
        yield Entry(
            on=change.changed_on,
            kind="level",
            title=title,
            detail=change.note,
            by=change.by.name if change.by else None,
            at=change.at,
            url=url_for("referrals.index", reference=family.reference),
        )
