"""The demo-data job: writes a synthetic cohort in the import formats and loads it."""

import csv
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import func, insert, select

from tff.audit.operations import record
from tff.auth.models import User
from tff.cases.models import ATTACHED, IDENTIFIED, Family, Member
from tff.cases.models.member import name_key
from tff.demo.cohort import (
    ATTENDANCE_COLUMNS,
    EVENT_COLUMNS,
    FAMILY_COLUMNS,
    MEMBER_COLUMNS,
    SPELL_COLUMNS,
    CohortMaker,
)
from tff.extensions import db
from tff.jobs.celery import job_task
from tff.jobs.operations import JobError

FILES = {
    "families": FAMILY_COLUMNS,
    "members": MEMBER_COLUMNS,
    "attendance": ATTENDANCE_COLUMNS,
    "events": EVENT_COLUMNS,
    "spells": SPELL_COLUMNS,
}


def demo_folder() -> Path:
    return Path(current_app.instance_path) / "demo"


@job_task("demo.load")
def load_demo_cohort(job, families: int = 300, seed: int = 1):
    if db.session.scalar(select(func.count()).select_from(Family)):
        raise JobError("There are families in the database already, so the demo cohort was not loaded.")
    lead_workers = dict(
        db.session.execute(select(User.email, User.id).where(User.role.in_(["lead_worker", "coordinator"]))).all()
    )
    folder = demo_folder()
    folder.mkdir(parents=True, exist_ok=True)
    family_rows, member_rows, counts = [], [], dict.fromkeys(FILES, 0)
    with ExitStack() as files:
        writers = {}
        for kind, columns in FILES.items():
            handle = files.enter_context(open(folder / f"{kind}.csv", "w", newline="", encoding="utf-8"))
            writers[kind] = csv.DictWriter(handle, columns)
            writers[kind].writeheader()
        maker = CohortMaker(seed, sorted(lead_workers))
        for number, parts in enumerate(maker.families(families), start=1):
            for kind, rows in zip(FILES, ([parts[0]], *parts[1:]), strict=True):
                writers[kind].writerows(rows)
                counts[kind] += len(rows)
            family_rows.append(parts[0])
            member_rows.extend(parts[1])
            if number % 25 == 0:
                job.progress(number, families, f"Making the families: {number} of {families}", unit="families")

    job.progress(families, families, "Loading the families and members into the database")
    db.session.execute(
        insert(Family),
        [
            {
                "reference": f["family_ref"],
                "programme": f["programme"],
                "status": ATTACHED if f["attached_on"] else IDENTIFIED,
                "identified_on": date.fromisoformat(f["identified_on"]),
                "attached_on": date.fromisoformat(f["attached_on"]) if f["attached_on"] else None,
                "postcode": f["postcode"],
                "lead_worker_id": lead_workers.get(f["lead_worker_email"]),
            }
            for f in family_rows
        ],
    )
    family_ids = dict(db.session.execute(select(Family.reference, Family.id)).all())
    db.session.execute(
        insert(Member),
        [
            {
                "family_id": family_ids[m["family_ref"]],
                "person_ref": m["person_ref"],
                "first_name": m["first_name"],
                "last_name": m["last_name"],
                "first_key": name_key(m["first_name"]),
                "last_key": name_key(m["last_name"]),
                "date_of_birth": date.fromisoformat(m["date_of_birth"]),
                "sex": m["sex"],
                "upn": m["upn"] or None,
                "nino": m["nino"] or None,
                "relationship": m["relationship"],
            }
            for m in member_rows
        ],
    )
    record(
        "demo.load",
        "cohort",
        None,
        f"Loaded the demo cohort: {counts['families']} families, {counts['members']} members",
        after={"families": counts["families"], "members": counts["members"], "seed": seed},
    )
    db.session.commit()
    return {
        "message": f"Loaded {counts['families']} demo families with {counts['members']} members",
        "families": counts["families"],
        "members": counts["members"],
        "attendance_rows_written": counts["attendance"],
        "event_rows_written": counts["events"],
        "spell_rows_written": counts["spells"],
        "files": str(folder),
    }
