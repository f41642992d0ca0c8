"""The seed council's commissioned providers, and referrals of a share of the demo's attached
families to them, so that a coordinator's first referral has somewhere to go and the funding
dashboard's table by commissioned provider has rows.

The providers are those the Families for Change review (May 2014) names, with the figures it
gives: the Family Recovery Programme's "maximum capacity of 45 open cases at any one time",
Rotherham and Barnsley MIND's "39 cases in the first year", MST's "approx. 10 cases" and the
mediation practitioner's "approximately 18 families". The review gives no figure for YWCA's
family support, so it is recorded with no limit rather than a number the council never set.

Everything goes through the product's own operations (`save_provider`, `request_referral`,
`transition`), so each provider, referral and decision is in the audit trail and each
referral's history of states is real.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from tff.auth.models import User
from tff.cases.models import Family
from tff.cases.referrals import operations
from tff.cases.referrals.models import ACCEPTED, CLOSED, DECLINED, Provider, Referral
from tff.extensions import db


@dataclass(frozen=True)
class SeedProvider:
    name: str
    service_type: str
    #: the most open referrals at once, from the review's figure; None where it gives none
    capacity: int | None
    #: when the service began taking the council's families (the review's dates)
    since: date
    #: why a family is referred to it: the needs the review says it meets
    reason: str


SEED_PROVIDERS = (
    SeedProvider(
        "Family Recovery Programme",
        "family_recovery",
        45,
        date(2012, 4, 1),
        "Complex, entrenched needs: a parent's mental health and caring responsibilities across the family",
    ),
    SeedProvider(
        "YWCA family support",
        "family_support",
        None,
        date(2013, 4, 1),
        "At the threshold of social care: needs a dedicated lead worker and hands-on support",
    ),
    SeedProvider(
        "Rotherham and Barnsley MIND (intensive family support)",
        "intensive_family_support",
        39,
        date(2013, 4, 1),
        "Known to social care with a Child in Need plan: hands-on support alongside the social worker",
    ),
    SeedProvider(
        "Remedi family mediation",
        "family_mediation",
        18,
        date(2013, 4, 1),
        "Conflict at home is keeping a young person out of school and involved in anti-social behaviour",
    ),
    SeedProvider(
        "Multi-Systemic Therapy (MST, with Barnsley)",
        "mst",
        10,
        date(2014, 7, 1),
        "A young person aged 11 to 17 whose behaviour puts them at risk of care or custody",
    ),
)

#: one attached family in this many is referred
REFER_ONE_IN = 3
#: of the referrals, one in this many is declined by the provider
DECLINE_ONE_IN = 4
#: referrals requested within this many days of today are still open (accepted or waiting);
#: older ones have closed
STILL_OPEN_WITHIN = timedelta(days=3 * 365)
DECLINE_NOTES = (
    "The family did not agree to the service",
    "The family's needs are beyond the service: refer to the Family Recovery Programme",
    "The family moved out of the area",
)
FULL_NOTE = "No places free: the service was full"
CLOSURES = ("completed", "completed", "partly_completed", "disengaged")


def record_providers(by) -> int:
    """The seed council's providers not yet on record (matched by name), added by `by`. How many."""
    held = {name.casefold() for name in db.session.scalars(select(Provider.name))}
    added = 0
    for seed in SEED_PROVIDERS:
        if seed.name.casefold() not in held:
            operations.save_provider(by, seed.name, seed.service_type, seed.capacity)
            added += 1
    return added


def refer_families(by) -> int:
    """Refer one attached family in `REFER_ONE_IN` to a seed provider that was working by then,
    as the coordinator `by` refers them, with the provider's answer: some declined, the older
    ones accepted and closed, the recent ones still open. Nothing if any family was referred to
    a seed provider already, so a second `flask demo setup` adds none. How many referred."""
    names = [seed.name for seed in SEED_PROVIDERS]
    providers = {p.name: p for p in db.session.scalars(select(Provider).where(Provider.name.in_(names)))}
    already = db.session.scalar(
        select(func.count()).select_from(Referral).where(Referral.provider_id.in_([p.id for p in providers.values()]))
    )
    if already or not providers:
        return 0
    today = date.today()
    families = db.session.scalars(
        select(Family).where(Family.attached_on.is_not(None)).order_by(Family.attached_on, Family.reference)
    ).all()
    referred = 0
    for number, family in enumerate(families[::REFER_ONE_IN]):
        requested_on = min(family.attached_on + timedelta(days=7 + number % 21), today)
        working = [s for s in SEED_PROVIDERS if s.since <= requested_on and s.name in providers] or [
            s for s in SEED_PROVIDERS if s.name in providers
        ]
        seed = working[number % len(working)]
        provider = providers[seed.name]
        referral = operations.request_referral(family, by, provider, requested_on, seed.reason)
        referred += 1
        answered_on = min(requested_on + timedelta(days=5), today)
        if number % DECLINE_ONE_IN == DECLINE_ONE_IN - 1:
            notes = [note for note in DECLINE_NOTES if seed.name not in note]  # FRP sends no one to itself
            note = notes[number % len(notes)]
            operations.transition(family, referral, by, DECLINED, answered_on, note=note)
            continue
        if today - requested_on < STILL_OPEN_WITHIN and number % 5 == 0:
            continue  # still waiting for the provider's answer
        try:
            operations.transition(family, referral, by, ACCEPTED, answered_on)
        except operations.OverCapacity:
            db.session.rollback()
            operations.transition(family, referral, by, DECLINED, answered_on, note=FULL_NOTE)
            continue
        if today - requested_on >= STILL_OPEN_WITHIN:
            closed_on = min(answered_on + timedelta(days=90 + 7 * (number % 13)), today)
            outcome = CLOSURES[number % len(CLOSURES)]
            operations.transition(family, referral, by, CLOSED, closed_on, outcome=outcome)
    return referred


def record_providers_and_referrals() -> tuple[int, int]:
    """The seed providers and the demo's referrals, by the demo coordinator: coordinators
    commission the work with providers and refer families to them. (providers added, families
    referred); nothing without a coordinator's account."""
    coordinator = db.session.scalar(select(User).where(User.role == "coordinator", User.active).order_by(User.id))
    if coordinator is None:
        return 0, 0
    return record_providers(coordinator), refer_families(coordinator)
