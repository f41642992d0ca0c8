"""Evaluating the cohort's outcomes: families per second, against a naive per-family evaluation.

Target (issue: outcomes rules engine): a 100,000-family cohort, about 50 evidence rows per
family, evaluated as of one date in under 60 seconds (2 cores) on SQLite and on PostgreSQL,
memory under 2 GB; families per second beside a naive per-family ORM evaluation of the same
cohort, to show the gain.
"""

import random
import resource
import time
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, select, text

from bench.cohort import say
from tff.cases.models import Family, Member
from tff.demo.cohort import SCHOOLS, TERM_SESSIONS, CohortMaker
from tff.evidence.kinds import default_term_dates
from tff.evidence.models import AttendanceRecord, Event, Spell
from tff.extensions import db
from tff.outcomes import loader
from tff.outcomes.evaluation import create, start_evaluation
from tff.outcomes.facts import AttendanceFact, ClaimHistory, EventFact, FamilyFacts, MemberFacts, SpellFact
from tff.outcomes.phase1 import RULE_SET, evaluate
from tff.outcomes.plan_versions.operations import store_shipped
from tff.timeutil import utcnow

TARGET_SECONDS = 60
TARGET_MB = 2048
AS_OF = date(2014, 3, 31)
#: evidence rows per family the bench cohort is given (on average)
PER_FAMILY = 50
#: families whose evidence is made and inserted together
CHUNK = 2000
#: families the naive evaluation decides (its time for the whole cohort is projected)
NAIVE_SAMPLE = 1000
#: the seed the bench cohort was made with (bench.cohort.load_cohort)
COHORT_SEED = 2014

EXTRA_EVENTS = [("asb", "asb_unit"), ("offence", "yot"), ("police_callout", "police"), ("missing_episode", "police")]
BENEFITS = ["JSA", "ESA", "IS", "IB"]


def _evidence_rows() -> int:
    return sum(db.session.scalar(select(func.count()).select_from(m)) for m in (AttendanceRecord, Event, Spell))


def load_evidence(app, families: int) -> None:
    """Attendance, events and spells for the cohort's members, about PER_FAMILY rows a family:
    the cohort maker's own rows and more like them, made a chunk of families at a time and
    inserted in bulk; skipped when already there."""
    with app.app_context():
        have = _evidence_rows()
        if have >= families * PER_FAMILY * 0.8:
            say(f"outcomes: {have:,} evidence rows already loaded")
            return
        if have:  # a load cut short: start again
            for model in (AttendanceRecord, Event, Spell):
                db.session.execute(delete(model))
            db.session.commit()
        say(f"outcomes: loading about {families * PER_FAMILY:,} evidence rows ...")
        started = time.perf_counter()
        maker = CohortMaker(seed=COHORT_SEED)  # the same families, members and rows as the cohort's
        extra = _Extra(random.Random(COHORT_SEED + 1))
        batch, total = [], 0
        for number, family in enumerate(maker.families(families), start=1):
            batch.append(family)
            if len(batch) >= CHUNK or number == families:
                total += _flush(batch, extra)
                batch = []
                if number % 20_000 == 0 or number == families:
                    say(f"  {number:,} families, {total:,} rows")
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        say(f"outcomes: evidence loaded in {time.perf_counter() - started:.1f}s")


def _flush(batch: list, extra: "_Extra") -> int:
    first, last = batch[0][0]["family_ref"], batch[-1][0]["family_ref"]
    member_ids = dict(
        db.session.execute(
            select(Member.person_ref, Member.id).join(Family).where(Family.reference.between(first, last))
        ).all()
    )
    now = utcnow()
    attendance, events, spells = [], [], []
    for family, members, att, evs, sps in batch:
        add_att, add_ev, add_sp = extra.rows(family, members, att, len(att) + len(evs) + len(sps))
        for row in att + add_att:
            attendance.append(
                {
                    "member_id": member_ids[row["person_ref"]],
                    "academic_year": row["academic_year"],
                    "term": row["term"],
                    "school": row["school"],
                    "possible": row["possible_sessions"],
                    "authorised": row["authorised_absence_sessions"],
                    "unauthorised": row["unauthorised_absence_sessions"],
                    "created_at": now,
                }
            )
        for row in evs + add_ev:
            events.append(
                {
                    "member_id": member_ids[row["person_ref"]],
                    "kind": row["kind"],
                    "date": date.fromisoformat(row["date"]),
                    "reference": row["reference"],
                    "source": row["source"],
                    "detail": row["detail"],
                    "created_at": now,
                }
            )
        for row in sps + add_sp:
            spells.append(
                {
                    "member_id": member_ids[row["person_ref"]],
                    "kind": row["kind"],
                    "start_date": date.fromisoformat(row["start_date"]),
                    "end_date": date.fromisoformat(row["end_date"]) if row["end_date"] else None,
                    "detail": row["detail"],
                    "reference": row["reference"],
                    "source": row["source"],
                    "created_at": now,
                }
            )
    for model, rows in ((AttendanceRecord, attendance), (Event, events), (Spell, spells)):
        if rows:
            db.session.execute(insert(model), rows)
    db.session.commit()
    return len(attendance) + len(events) + len(spells)


class _Extra:
    """More evidence like the cohort maker's, deterministically: earlier and later terms of
    attendance, police call-outs, missing episodes, ASB and offences, benefit and work spells."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.refs = 0

    def _ref(self, prefix: str) -> str:
        self.refs += 1
        return f"{prefix}{self.refs:09d}"

    def _day(self, start: date, days: int) -> date:
        return start + timedelta(days=self.rng.randrange(days))

    def rows(self, family: dict, members: list, attendance: list, have: int):
        rng = self.rng
        anchor = date.fromisoformat(family["attached_on"] or family["identified_on"])
        want = max(0, rng.randint(PER_FAMILY - 8, PER_FAMILY + 8) - have)
        children = [m for m in members if m["relationship"] == "child"]
        adults = [m for m in members if m["relationship"] != "child"]
        add_att, add_ev, add_sp = [], [], []

        # Attendance: the terms the maker left out, from three years before attachment to two after.
        taken = {(r["person_ref"], r["academic_year"], r["term"]) for r in attendance}
        schools = {r["person_ref"]: r["school"] for r in attendance}
        budget = int(want * 0.6)
        for child in children:
            school = schools.get(child["person_ref"]) or rng.choice(SCHOOLS)
            for year in range(anchor.year - 3, anchor.year + 2):
                academic_year = f"{year}/{str(year + 1)[2:]}"
                for term, possible in TERM_SESSIONS.items():
                    if len(add_att) >= budget or (child["person_ref"], academic_year, term) in taken:
                        continue
                    start, _end = default_term_dates(academic_year, term)
                    if not anchor - timedelta(days=3 * 365) <= start <= anchor + timedelta(days=2 * 365):
                        continue
                    unauthorised = round(possible * rng.uniform(0.0, 0.3))
                    add_att.append(
                        {
                            "person_ref": child["person_ref"],
                            "academic_year": academic_year,
                            "term": term,
                            "possible_sessions": possible,
                            "authorised_absence_sessions": min(possible - unauthorised, rng.randrange(0, 12)),
                            "unauthorised_absence_sessions": unauthorised,
                            "school": school,
                        }
                    )
        left = want - len(add_att)
        spells = left // 5
        for _ in range(left - spells):
            who = rng.choice(members)
            kind, source = rng.choice(EXTRA_EVENTS)
            add_ev.append(
                {
                    "person_ref": who["person_ref"],
                    "kind": kind,
                    "date": self._day(anchor - timedelta(days=365), 3 * 365).isoformat(),
                    "reference": self._ref("BE"),
                    "source": source,
                    "detail": "",
                }
            )
        for _ in range(spells):
            if adults and (not children or rng.random() < 0.8):
                who = rng.choice(adults)
                kind = rng.choice(["benefit", "benefit", "employment", "work_programme"])
                detail = rng.choice(BENEFITS) if kind == "benefit" else ""
                source = {"benefit": "dwp", "employment": "employer"}.get(kind, "provider")
            else:
                who, kind, detail, source = rng.choice(children), rng.choice(["cin_plan", "cp_plan"]), "", "social_care"
            start = self._day(anchor - timedelta(days=900), 1400)
            end = start + timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.7 else None
            add_sp.append(
                {
                    "person_ref": who["person_ref"],
                    "kind": kind,
                    "start_date": start.isoformat(),
                    "end_date": end.isoformat() if end else "",
                    "detail": detail,
                    "reference": self._ref("BS"),
                    "source": source,
                }
            )
        return add_att, add_ev, add_sp


# --- the measurements -------------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_facts(family_id: int) -> FamilyFacts:
    """One family's facts the naive way: the ORM, a query per member and kind of evidence."""
    family = db.session.get(Family, family_id)
    members = list(db.session.scalars(select(Member).where(Member.family_id == family.id)))
    attendance, events, spells = [], [], []
    for m in members:
        for r in db.session.scalars(select(AttendanceRecord).where(AttendanceRecord.member_id == m.id)):
            attendance.append(
                AttendanceFact(r.member_id, r.academic_year, r.term, r.possible, r.unauthorised, r.authorised or 0)
            )
        for e in db.session.scalars(select(Event).where(Event.member_id == m.id)):
            if e.kind in loader.EVENT_KINDS:
                events.append(EventFact(e.member_id, e.kind, e.date))
        for s in db.session.scalars(select(Spell).where(Spell.member_id == m.id)):
            if s.kind in loader.SPELL_KINDS:
                spells.append(SpellFact(s.member_id, s.kind, s.detail, s.start_date, s.end_date))
    return FamilyFacts(
        family.id,
        family.reference,
        family.programme,
        family.attached_on,
        tuple(MemberFacts(m.id, m.person_ref, f"{m.first_name} {m.last_name}", m.date_of_birth) for m in members),
        tuple(attendance),
        tuple(events),
        tuple(spells),
    )


def naive(sample: int) -> tuple[int, float]:
    """(families, seconds) of the naive evaluation of a sample of the cohort."""
    # Phase one families only: the naive way has no outcome plans to hand.
    ids = list(
        db.session.scalars(
            select(Family.id)
            .where(Family.programme == RULE_SET, Family.attached_on.is_not(None))
            .order_by(Family.reference)
            .limit(sample)
        )
    )
    started = time.perf_counter()
    rules, terms = loader.settings(), loader.calendar()
    decided = 0
    for family_id in ids:
        facts = naive_facts(family_id)
        evaluate(facts, rules, terms, ClaimHistory(), AS_OF)
        decided += 1
        db.session.expunge_all()
    seconds = time.perf_counter() - started
    db.session.rollback()
    return decided, seconds


def run(app, families: int) -> dict:
    load_evidence(app, families)
    with app.app_context():
        cohort = db.session.scalar(select(func.count()).select_from(Family))
        evidence = _evidence_rows()
        store_shipped(None)  # phase two and Supporting Families families are measured against them
        attached = db.session.scalar(select(func.count()).where(Family.attached_on.is_not(None)))
        say(f"outcomes: evaluating {attached:,} attached families as of {AS_OF} ...")
        before_mb = _peak_mb()
        started = time.perf_counter()
        job = start_evaluation(create(AS_OF), queue=False)
        seconds = time.perf_counter() - started
        peak_mb = _peak_mb()
        assert job.state == "succeeded", (job.state, job.message, job.error)
        result = job.result
        say(f"  {result['families']:,} families, {result['decisions']:,} decisions in {seconds:.1f}s")
        say(f"outcomes: naive per-family evaluation of {NAIVE_SAMPLE:,} families ...")
        naive_families, naive_seconds = naive(NAIVE_SAMPLE)
    return {
        "cohort": cohort,
        "evidence": evidence,
        "families": result["families"],
        "decisions": result["decisions"],
        "seconds": seconds,
        "peak_mb": peak_mb,
        "before_mb": before_mb,
        "naive_families": naive_families,
        "naive_seconds": naive_seconds,
    }


def report(r: dict, backend: str) -> bool:
    rate = r["families"] / r["seconds"] if r["seconds"] else 0
    naive_rate = r["naive_families"] / r["naive_seconds"] if r["naive_seconds"] else 0
    projected = r["families"] / naive_rate if naive_rate else float("inf")
    fast = r["seconds"] < TARGET_SECONDS
    small = r["peak_mb"] < TARGET_MB
    print(
        f"\nOutcomes evaluation on {backend}: a {r['cohort']:,}-family cohort, {r['evidence']:,} evidence rows "
        f"({r['evidence'] / max(1, r['cohort']):.0f} a family), as of {AS_OF:%-d %B %Y} "
        f"(target < {TARGET_SECONDS}s, peak memory < {TARGET_MB:,} MB)"
    )
    print(f"{'evaluation':34} {'families':>9} {'seconds':>9} {'families/s':>11} {'peak MB':>8}")
    print(
        f"{'set-based job (decisions stored)':34} {r['families']:9,} {r['seconds']:9.1f} {rate:11,.0f} "
        f"{r['peak_mb']:8.0f}  {'ok' if fast and small else 'SLOW' if not fast else 'TOO BIG'}"
    )
    print(
        f"{'naive per-family ORM (sample)':34} {r['naive_families']:9,} {r['naive_seconds']:9.1f} {naive_rate:11,.0f}"
    )
    print(f"{'naive, projected for the cohort':34} {r['families']:9,} {projected:9.1f}")
    print(
        f"\n{r['decisions']:,} decisions stored; {rate / naive_rate if naive_rate else 0:.1f}x the naive rate; "
        f"peak memory {r['peak_mb']:.0f} MB ({r['before_mb']:.0f} MB before the evaluation)"
    )
    return fast and small
