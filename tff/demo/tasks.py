"""The demo-data job: writes a synthetic cohort in the import formats, imports it, does the
case work no import carries, and works out the criteria the evidence suggests for the families
identified and not yet attached.

The five files go through the same import as a council's own, so the demo families have what
real ones have: their history, criteria, lead workers, evidence and audit trail.
"""

import csv
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from tff.auth.models import User
from tff.cases import operations as case_operations
from tff.cases.models import Family
from tff.demo.cohort import (
    ATTENDANCE_COLUMNS,
    EVENT_COLUMNS,
    FAMILY_COLUMNS,
    IDENTIFY_AS_OF,
    MEMBER_COLUMNS,
    SPELL_COLUMNS,
    CohortMaker,
    families_file_row,
)
from tff.extensions import db
from tff.funding import commitments
from tff.funding import operations as funding_operations
from tff.funding.models import AttachmentFeeReceipt
from tff.identification import decisions
from tff.identification import job as identification
from tff.imports.operations import create_run, run_import
from tff.jobs.celery import job_task
from tff.jobs.operations import JobError
from tff.outcomes.plan_versions.measuring import adopted_versions
from tff.outcomes.plan_versions.operations import store_shipped
from tff.outcomes.verified import operations as verified_outcomes

FILES = {
    "families": FAMILY_COLUMNS,
    "members": MEMBER_COLUMNS,
    "attendance": ATTENDANCE_COLUMNS,
    "events": EVENT_COLUMNS,
    "spells": SPELL_COLUMNS,
}
#: the order the files must go in: families before their members before their evidence
IMPORTED = ("families", "members", "attendance", "events", "spells")


def demo_folder() -> Path:
    return Path(current_app.instance_path) / "demo"


def write_cohort(job, folder: Path, families: int, seed: int, lead_worker_emails: list[str]) -> CohortMaker:
    """The five files of a synthetic cohort, in the import formats; the maker, which holds the
    case work to do once they are in (`record_case_work`)."""
    with ExitStack() as files:
        writers = {}
        for kind, columns in FILES.items():
            handle = files.enter_context(open(folder / f"{kind}.csv", "w", newline="", encoding="utf-8"))
            writers[kind] = csv.DictWriter(handle, columns)
            writers[kind].writeheader()
        maker = CohortMaker(seed, lead_worker_emails)
        for number, parts in enumerate(maker.demo(families), start=1):
            for kind, rows in zip(FILES, ([families_file_row(parts[0])], *parts[1:]), strict=True):
                writers[kind].writerows(rows)
            if number % 25 == 0:
                job.progress(number, families, f"Making the families: {number} of {families}", unit="families")
    return maker


def phase_one_case_work(maker: CohortMaker) -> int:
    """The attached phase one families, attached as a coordinator attaches them: their national
    criteria confirmed, then the family attached on its day. How many; none without a
    coordinator's account (the families stay identified)."""
    coordinator = db.session.scalar(select(User).where(User.role == "coordinator", User.active).order_by(User.id))
    if coordinator is None or not maker.phase_one:
        return 0
    families = {
        f.reference: f for f in db.session.scalars(select(Family).where(Family.reference.in_(list(maker.phase_one))))
    }
    attached = 0
    for ref, (on, codes) in sorted(maker.phase_one.items()):
        family = families.get(ref)
        if family is None or on > date.today() or family.status != "identified":
            continue
        chosen = [("national", code) for code in sorted(codes)]
        decisions.record_criteria(family, chosen, "Confirmed from the family's records", coordinator)
        case_operations.attach(family, on, coordinator)
        attached += 1
    return attached


def record_case_work(maker: CohortMaker) -> tuple[int, int]:
    """What no import carries, done in the product as a council's staff would: the verified
    outcomes the families achieved, recorded by the demo coordinator and approved by the demo
    manager, and the Supporting Families cases closed. (closed, verified outcomes); none
    without those two accounts."""
    coordinator = db.session.scalar(select(User).where(User.role == "coordinator", User.active).order_by(User.id))
    manager = db.session.scalar(select(User).where(User.role == "manager", User.active).order_by(User.id))
    if coordinator is None or manager is None:
        return 0, 0
    refs = sorted(set(maker.closures) | set(maker.verified))
    families = {f.reference: f for f in db.session.scalars(select(Family).where(Family.reference.in_(refs)))}
    today = date.today()
    verified = 0
    for ref, (achieved_on, codes) in sorted(maker.verified.items()):
        family = families.get(ref)
        if family is None or achieved_on > today:
            continue
        for code in codes:
            outcome = verified_outcomes.record(family, coordinator, code, "Seen by the demo lead worker", achieved_on)
            verified_outcomes.approve(family, outcome, manager, "Checked against the plan")
            verified += 1
    closed = 0
    for ref, closed_on in sorted(maker.closures.items()):
        family = families.get(ref)
        if family is None or closed_on > today:
            continue
        case_operations.close(family, closed_on, "outcomes_achieved", coordinator)
        closed += 1
    return closed, verified


def suggest_criteria(job) -> tuple[int, int]:
    """The criteria the evidence suggests for every identified family not yet attached, worked
    out as the identification job works them out, so that a coordinator's first sign-in has
    suggestions to confirm. Each programme's families as of that programme's date
    (`IDENTIFY_AS_OF`): the job judges all the families it is given on one date, and no one
    date has both phase one's evidence and the later programmes' plans in force.
    (suggestions, families that could not be worked out)."""
    rules, versions = identification.settings(), adopted_versions()
    suggestions = left_out = 0
    for programme, as_of in IDENTIFY_AS_OF.items():
        after = ""
        while rows := identification.chunk_after(after):
            after = rows[-1][1]
            theirs = [row for row in rows if row[2] == programme]
            if theirs:
                made, failed = identification.work_out(theirs, as_of, rules, versions, job.id)
                suggestions, left_out = suggestions + made, left_out + failed
        db.session.commit()
    return suggestions, left_out


#: the seed council's phase one commitment: (year, families committed, the government's funded figure)
SEED_COMMITMENTS = (("2012/13", 244, 203), ("2013/14", 365, 305), ("2014/15", 120, 100))


#: the up-front attachment fees the seed council's finance report (May 2014) says it received:
#: (year, pounds); the report gives no day, so each is dated the end of its year's first half
SEED_FEES = (("2012/13", 649_600), ("2013/14", 732_000))


def record_commitments() -> None:
    """Phase one's commitment as the seed council agreed it, so the funding dashboard counts
    its attachment fees as the government paid them (729 families, 608 funded), and the fees it
    received for its first two years, unless some are on record for the year already."""
    for year, committed, funded in SEED_COMMITMENTS:
        commitments.set_commitment("phase1", year, committed, funded, None)
    on_record = set(
        db.session.scalars(
            select(AttachmentFeeReceipt.financial_year).where(AttachmentFeeReceipt.programme == "phase1")
        )
    )
    for year, amount in SEED_FEES:
        if year not in on_record:
            received_on = date(int(year[:4]), 9, 30)
            funding_operations.record_fees("phase1", year, amount, received_on, "Up-front attachment fees", None)


@job_task("demo.load")
def load_demo_cohort(job, families: int = 300, seed: int = 1):
    if db.session.scalar(select(func.count()).select_from(Family)):
        raise JobError("There are families in the database already, so the demo cohort was not loaded.")
    lead_workers = sorted(
        db.session.scalars(select(User.email).where(User.role.in_(["lead_worker", "coordinator"]), User.active))
    )
    # The cohort's phase two and Supporting Families families carry their plans' problems, so
    # the shipped plans are adopted first, as `flask demo setup` does (none stored twice).
    store_shipped(None)
    folder = demo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    maker = write_cohort(job, folder, families, seed, lead_workers)
    imported = {}
    for kind in IMPORTED:
        with open(folder / f"{kind}.csv", "rb") as stream:
            run = create_run(kind, f"demo-{kind}.csv", stream)
        outcome = run_import(job, run.id)
        if outcome["rejected"] or outcome["unmatched"]:
            raise JobError(f"The demo {kind} file had rows that did not go in: see import {run.id}.")
        imported[kind] = outcome["accepted"]
    phase_one_case_work(maker)
    record_commitments()
    closed, verified = record_case_work(maker)
    suggested, left_out = suggest_criteria(job)
    return {
        "message": f"Loaded {imported['families']} demo families with {imported['members']} members and their "
        f"evidence; recorded {verified} verified outcomes and closed {closed} cases; suggested {suggested} "
        "criteria for the identified families" + (f" ({left_out} could not be worked out)" if left_out else ""),
        "families": imported["families"],
        "members": imported["members"],
        "attendance_records": imported["attendance"],
        "events": imported["events"],
        "spells": imported["spells"],
        "verified_outcomes": verified,
        "closed": closed,
        "suggestions": suggested,
        "files": str(folder),
    }
