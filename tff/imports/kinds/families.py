"""families.csv: a row per family; an existing `family_ref` updates that family.

The family-level changes an import makes (status from the dates, lead worker with its
history, imported criteria) are written here as set-based bulk operations, a batch of
families at a time, with an audit entry per family that changed.
"""

from dataclasses import dataclass

from sqlalchemy import delete, select, update

from tff.auth import roles
from tff.auth.models import User
from tff.cases.models import (
    ATTACHED,
    CLOSED,
    CRITERIA,
    IDENTIFIED,
    PROGRAMMES,
    Family,
    FamilyCriterion,
    FamilyStatusChange,
    LeadWorkerAssignment,
)
from tff.cases.models.identification import IMPORTED
from tff.cases.validation import normalise_postcode, postcode_problem, reference_problem
from tff.claims.models import ClaimLine
from tff.extensions import db
from tff.funding.models import AttachmentFeeReceipt
from tff.imports.kinds.base import (
    CHANGES_KEPT,
    CODES_SHOWN,
    BatchFormat,
    Cells,
    Row,
    Tally,
    among,
    bulk_insert,
    pairs,
    shown,
)
from tff.outcomes.plan_versions.measuring import AdoptedPlans, codes_listed
from tff.timeutil import financial_year_of

#: roles that may lead a family
LEADS = (roles.LEAD_WORKER, roles.COORDINATOR)
#: the file's criteria columns and the kind of FamilyCriterion each holds
CRITERIA_COLUMNS = {"local_criteria": "local", "problems": "problem"}
#: the family's fields an import sets, as `Family.audit_state` names them
FIELDS = ("programme", "status", "identified_on", "attached_on", "postcode", "outcome_plan", "lead_worker_id")
#: the fields as the import's list of changes names them (the file's columns where there is one)
SHOWN_AS = {"lead_worker_id": "lead_worker_email"}


def postcode(cells: Cells, name: str) -> str | None:
    """Upper case with one space before the last three characters, e.g. `S60 1AA`."""
    value = cells.raw(name)
    normalised = normalise_postcode(value)
    if normalised and postcode_problem(normalised):
        cells.problem(name, f"{name} {shown(value)} is not a UK postcode")
        return None
    return normalised


def problem_codes(cells: Cells, name: str) -> frozenset[str]:
    """`;`-separated headline problem codes (case and spaces around them do not matter). Which
    codes a family may carry depends on the outcome plan that measures it, so they are checked
    against the database, in `Families.resolve`."""
    value = cells.raw(name)
    return frozenset(code for code in (code.strip().lower() for code in value.split(";")) if code)


@dataclass
class Context:
    #: reference -> the family as it is (a Row of FIELDS with id, reference)
    families: dict
    #: ids of the batch's attached families that have a claim line
    claimed: set


class Families(BatchFormat):
    name = "families"
    title = "Families"
    required = ["family_ref", "programme"]
    optional = [
        "identified_on",
        "attached_on",
        "postcode",
        "lead_worker_email",
        "local_criteria",
        "problems",
        "outcome_plan",
    ]

    @classmethod
    def allowed(cls) -> dict[str, list[str]]:
        from tff.identification.settings import local_filters  # it imports tff.evidence, which imports this

        return {
            "programme": list(PROGRAMMES),
            "local_criteria": list(local_filters()),
            "problems": list(CRITERIA["problem"]),
        }

    def __init__(self, run, columns):
        super().__init__(run, columns)
        #: email -> (id, role, active) of every user
        self.users: dict[str, tuple] = {}
        #: user id -> email, to show a change of lead worker
        self.emails: dict[int, str] = {}
        #: (programme, financial year of attachment) of every attachment fee received
        self.fees: set[tuple[str, str]] = set()
        #: the adopted outcome plan versions: the problem codes a family may carry are its plan's
        self.plans = AdoptedPlans((), self.today)
        from tff.identification.settings import local_filters  # it imports tff.evidence, which imports this

        #: the codes `local_criteria` may give: the council's local filters, read once a run
        self.local_filters = local_filters()
        #: (reference, why) of each family the rows attach that is not eligible on its confirmed
        #: criteria (the first CHANGES_KEPT), and how many there are
        self.unconfirmed: list[tuple[str, str]] = []
        self.unconfirmed_count = 0

    def parse(self, cells):
        c = Cells(cells)
        values = {
            "family_ref": c.text("family_ref", required=True, max_length=40),
            "programme": c.choice("programme", PROGRAMMES, required=True),
            "identified_on": c.date("identified_on"),
            "attached_on": c.date("attached_on"),
            "postcode": postcode(c, "postcode"),
            "lead_worker_email": (c.text("lead_worker_email", max_length=254) or "").lower() or None,
            "local_criteria": c.codes("local_criteria", self.local_filters),
            "problems": problem_codes(c, "problems"),
            "outcome_plan": c.text("outcome_plan", max_length=80),
        }
        identified, attached = values["identified_on"], values["attached_on"]
        if identified and attached and attached < identified:
            c.reasons.append(f"attached_on {attached} is before identified_on {identified}")
        if values["programme"] == "phase1":
            if values["problems"]:
                c.reasons.append("problems are for phase two and later, and this family is phase1")
            if values["outcome_plan"]:
                c.reasons.append("outcome_plan is for phase two and later, and this family is phase1")
        return c.values(values), c.reasons

    def unique_keys(self, row, context):
        ref = row.values.get("family_ref")
        return [("family_ref", ref)] if ref else []

    def prepare(self):
        self.users = {
            email: (user_id, role, active)
            for email, user_id, role, active in db.session.execute(select(User.email, User.id, User.role, User.active))
        }
        self.emails = {user[0]: email for email, user in self.users.items()}
        self.fees = {
            (programme, year)
            for programme, year in db.session.execute(
                select(AttachmentFeeReceipt.programme, AttachmentFeeReceipt.financial_year).distinct()
            )
        }
        self.plans = AdoptedPlans.read()

    def lookup(self, rows, applying):
        refs = [row.values["family_ref"] for row in rows if row.values.get("family_ref")]
        query = select(Family.id, Family.reference, *(getattr(Family, f) for f in FIELDS)).where(
            among(Family.reference, refs)
        )
        families = {family.reference: family for family in db.session.execute(query)}
        attached = [family.id for family in families.values() if family.attached_on]
        claimed = (
            set(db.session.scalars(select(ClaimLine.family_id).where(among(ClaimLine.family_id, attached)).distinct()))
            if attached
            else set()
        )
        return Context(families=families, claimed=claimed)

    @staticmethod
    def given(values: dict, family) -> dict:
        """The row's values that set something. For a family held already, an empty cell leaves
        its field as it is: an import fills and corrects values, it never clears one (a person
        clears a value in the product, with the audit trail)."""
        if family is None:
            return values
        return {name: value for name, value in values.items() if value is not None and value != frozenset()}

    def resolve(self, row, context):
        reasons = []
        family = context.families.get(row.values.get("family_ref"))
        values = self.given(row.values, family)
        if family is None and (problem := reference_problem(values.get("family_ref"), "family_ref")):
            reasons.append(problem)
        if "lead_worker_email" in values:
            email = values["lead_worker_email"]
            row.resolved["lead_worker_id"] = None
            if email:
                user = self.users.get(email)
                if user is None:
                    reasons.append(f"lead_worker_email {shown(email)} is not the email of anyone who uses the product")
                elif user[1] not in LEADS:
                    reasons.append(
                        f"lead_worker_email {shown(email)} belongs to a user whose role is {user[1]}, "
                        "not lead_worker or coordinator"
                    )
                elif not user[2]:
                    reasons.append(f"lead_worker_email {shown(email)} belongs to a user who has been disabled")
                else:
                    row.resolved["lead_worker_id"] = user[0]
        # The dates the family will have: a column the file lacks, or an empty cell, keeps the family's own.
        identified = values.get("identified_on", family.identified_on if family else None)
        attached = values.get("attached_on", family.attached_on if family else None)
        if family and identified and attached and attached < identified and not self._both_dates(values):
            reasons.append(f"attached_on {attached} would be before identified_on {identified}")
        if family and family.status == CLOSED and bool(attached) != bool(family.attached_on):
            reasons.append(
                f"family {values['family_ref']} is closed, and an import does not reopen a closed family: "
                f"this row would make it {'attached' if attached else 'identified'} again. "
                "Reopen the family on its page first, or correct the row"
            )
        if family and family.attached_on:
            reasons += self._attachment_kept(family, attached, context)
        if values.get("problems"):
            reasons += self._unknown_problems(values, family, attached)
        return reasons

    def _unknown_problems(self, values: dict, family, attached) -> list[str]:
        """Why the row's problem codes cannot be carried: the codes a family may carry are the
        headline problems of the plan version that measures it (its `outcome_plan`, else the
        version in force on its attachment date; not attached yet, the version in force today)."""
        programme = values.get("programme", family.programme if family else None)
        if programme is None or programme == "phase1":
            return []  # a programme with a problem of its own, said by `parse`
        chosen = values.get("outcome_plan", family.outcome_plan if family else None)
        plan = self.plans.measuring(programme, attached, chosen)
        if plan is None:
            why = self.plans.why_none(programme, attached, chosen)
            return [f"problems are the headline problems of the family's outcome plan, and {why}"]
        known = {problem.code for problem in plan.problems}
        unknown = sorted(values["problems"] - known)
        if not unknown:
            return []
        named = ", ".join(shown(code) for code in unknown[:CODES_SHOWN])
        more = f" and {len(unknown) - CODES_SHOWN:,} more" if len(unknown) > CODES_SHOWN else ""
        return [
            f"problems has {'an unknown code' if len(unknown) == 1 else 'unknown codes'} {named}{more} "
            f"({codes_listed(plan)})"
        ]

    def _attachment_kept(self, family, attached, context) -> list[str]:
        """Why a row may not undo or move a family's attachment: a family leaves the programme
        by closure, in the product, and its attachment date is what its claims and its
        attachment fee were worked out from."""
        ref, held = family.reference, family.attached_on
        if not attached:
            return [
                f"family {ref} was attached on {held}, and an import does not un-attach a family: "
                "a family leaves the programme by closure, on its page"
            ]
        if attached == held:
            return []
        why = []
        if family.id in context.claimed:
            why.append("it has a line in a claim")
        year = financial_year_of(held)
        if (family.programme, year) in self.fees:
            why.append(f"the attachment fees for {family.programme} families attached in {year} have been received")
        if not why:
            return []
        return [
            f"attached_on {attached} would change the attachment date of family {ref} from {held}, "
            f"and {' and '.join(why)}: an import does not change the attachment date of such a family"
        ]

    @staticmethod
    def _both_dates(values: dict) -> bool:
        # When the row gives both dates, `parse` has compared them already.
        return {"identified_on", "attached_on"} <= values.keys()

    # --- applying ------------------------------------------------------------------------------

    def apply(self, rows: list[Row], context: Context, dry_run: bool) -> Tally:
        tally = Tally()
        existing_ids = [f.id for f in context.families.values()]
        criteria = self._criteria(existing_ids) if existing_ids and self._criteria_columns() else {}
        new_families, updates, audit = [], [], []
        # Keyed by reference, for the families that get their id only once inserted.
        status_changes, open_assignments, add_criteria = [], [], []
        close_assignments, remove_criteria = [], []
        #: (row, family or None, programme, the criteria codes the row gives by kind)
        attaching = []
        for row in rows:
            ref = row.values["family_ref"]
            family = context.families.get(ref)
            values = self.given(row.values, family)
            before = self._state(family, criteria.get(family.id, {}) if family else {})
            after = dict(before) if family else {f: None for f in FIELDS}
            for name in ("programme", "identified_on", "attached_on", "postcode", "outcome_plan"):
                if name in values:
                    after[name] = values[name]
            if "lead_worker_id" in row.resolved:
                after["lead_worker_id"] = row.resolved["lead_worker_id"]
            if not family or family.status != CLOSED:
                after["status"] = ATTACHED if after["attached_on"] else IDENTIFIED
            wanted = {}
            for column, kind in CRITERIA_COLUMNS.items():
                if column in values:
                    wanted[kind] = values[column]
                    held = criteria.get(family.id, {}).get(kind, {}) if family else {}
                    # Criteria confirmed by a person (or suggested by evidence) stay.
                    kept = {code for code, (_id, source) in held.items() if source != IMPORTED}
                    after[column] = sorted(kept | values[column])
                    remove_criteria += [
                        cid for code, (cid, source) in held.items() if source == IMPORTED and code not in values[column]
                    ]
                    add_criteria += [(ref, kind, code) for code in sorted(values[column] - held.keys())]
            if after["status"] == ATTACHED and (family is None or family.status != ATTACHED):
                attaching.append((row, family, after["programme"], wanted))
            if family is None:
                tally.created += 1
                new_families.append(
                    {
                        "reference": ref,
                        **{f: after[f] for f in FIELDS},
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
                status_changes.append(
                    (ref, None, IDENTIFIED, after["identified_on"] or after["attached_on"] or self.today)
                )
                if after["status"] == ATTACHED:
                    status_changes.append((ref, IDENTIFIED, ATTACHED, after["attached_on"]))
                if after["lead_worker_id"]:
                    open_assignments.append((ref, after["lead_worker_id"]))
                audit.append(
                    self.audit_row(
                        "family.import_create",
                        "family",
                        ref,
                        f"Family {ref} created by import {self.run_id} ({self.filename})",
                        None,
                        {"reference": ref, **after},
                    )
                )
                continue
            changed = [k for k in after if after[k] != before[k]]
            if not changed:
                tally.unchanged += 1
                continue
            tally.updated += 1
            self.note_change(ref, {SHOWN_AS.get(k, k): self._shown(k, before[k], after[k]) for k in changed})
            fields = {f: after[f] for f in FIELDS if f in changed}
            if fields:
                updates.append({"id": family.id, **fields, "updated_at": self.now})
            if "status" in changed:
                effective = after["attached_on"] if after["status"] == ATTACHED else self.today
                status_changes.append((ref, before["status"], after["status"], effective))
            if "lead_worker_id" in changed:
                close_assignments.append(family.id)
                if after["lead_worker_id"]:
                    open_assignments.append((ref, after["lead_worker_id"]))
            audit.append(
                self.audit_row(
                    "family.import_update",
                    "family",
                    ref,
                    f"Family {ref} updated by import {self.run_id} ({self.filename})",
                    before,
                    after,
                )
            )
        flagged = self._not_eligible(attaching)
        if dry_run:
            return tally

        for entry in new_families:  # every row of one INSERT names the same columns
            reason = flagged.get(entry["reference"])
            entry.update(attach_override_reason=reason, attach_override_at=self.now if reason else None)
        overrides = [
            {"id": family.id, "attach_override_reason": flagged[ref], "attach_override_at": self.now}
            for ref, family in context.families.items()
            if ref in flagged
        ]
        for ref, reason in flagged.items():
            audit.append(
                self.audit_row(
                    "family.import_attach_unconfirmed",
                    "family",
                    ref,
                    f"Family {ref} attached without meeting the criteria: {reason}",
                    {"attach_override_reason": None},
                    {"attach_override_reason": reason},
                )
            )
        ids = {ref: f.id for ref, f in context.families.items()}
        if new_families:
            bulk_insert(Family, new_families)
            new_refs = [f["reference"] for f in new_families]
            ids |= pairs(select(Family.reference, Family.id).where(among(Family.reference, new_refs)))
        if updates:
            db.session.execute(update(Family), updates)
        if overrides:
            db.session.execute(update(Family), overrides)
        if close_assignments:
            db.session.execute(
                update(LeadWorkerAssignment)
                .where(
                    among(LeadWorkerAssignment.family_id, close_assignments), LeadWorkerAssignment.ended_on.is_(None)
                )
                .values(ended_on=self.today)
                .execution_options(synchronize_session=False)
            )
        reason = f"Import {self.run_id} ({self.filename})"[:500]
        bulk_insert(
            LeadWorkerAssignment,
            [
                {
                    "family_id": ids[ref],
                    "user_id": user_id,
                    "started_on": self.today,
                    "reason": reason,
                    "by_id": self.user_id,
                    "at": self.now,
                }
                for ref, user_id in open_assignments
            ],
        )
        bulk_insert(
            FamilyStatusChange,
            [
                {
                    "family_id": ids[ref],
                    "from_status": old,
                    "to_status": new,
                    "effective_on": effective,
                    "reason": reason,
                    "by_id": self.user_id,
                    "at": self.now,
                }
                for ref, old, new, effective in status_changes
            ],
        )
        if remove_criteria:
            db.session.execute(
                delete(FamilyCriterion)
                .where(among(FamilyCriterion.id, remove_criteria))
                .execution_options(synchronize_session=False)
            )
        bulk_insert(
            FamilyCriterion,
            [
                {
                    "family_id": ids[ref],
                    "kind": kind,
                    "code": code,
                    "source": IMPORTED,
                    "note": reason,
                    "created_at": self.now,
                }
                for ref, kind, code in add_criteria
            ],
        )
        self.write_audit(audit)
        return tally

    def _not_eligible(self, attaching: list) -> dict[str, str]:
        """reference -> why, for each family a row attaches that is not eligible on its confirmed
        criteria once the row's imported criteria are in (phase one's national criteria are
        never imported: a person confirms them). Such a family is attached all the same, the
        attachment having happened in the council's case system, and carries the reason as an
        override, shown wherever its attachment fee and claims are."""
        if not attaching:
            return {}
        # the rules import the evidence kinds, which import this
        from tff.cases.eligibility import counts
        from tff.identification.engine import judge

        held: dict[int, list] = {}
        existing = [family.id for _, family, _, _ in attaching if family is not None]
        if existing:
            query = select(
                FamilyCriterion.family_id,
                FamilyCriterion.kind,
                FamilyCriterion.code,
                FamilyCriterion.source,
                FamilyCriterion.confirmed_at,
            ).where(among(FamilyCriterion.family_id, existing))
            for family_id, *criterion in db.session.execute(query):
                held.setdefault(family_id, []).append(criterion)
        titles = {**CRITERIA["national"], **CRITERIA["local"], **self.local_filters}
        flagged = {}
        for row, family, programme, wanted in attaching:
            codes: dict[str, set[str]] = {kind: set(given) for kind, given in wanted.items()}
            for kind, code, source, confirmed_at in held.get(family.id, []) if family is not None else []:
                if counts(source, confirmed_at) and (kind not in wanted or source != IMPORTED):
                    codes.setdefault(kind, set()).add(code)
            eligibility = judge(programme, codes, titles)
            if eligibility.eligible:
                continue
            ref = row.values["family_ref"]
            flagged[ref] = (
                f"attached by import {self.run_id} ({self.filename}, line {row.line}) before its criteria were "
                f"confirmed: it {eligibility.why}"
            )[:500]
            self.unconfirmed_count += 1
            if len(self.unconfirmed) < CHANGES_KEPT:
                self.unconfirmed.append((ref, eligibility.why))
        return flagged

    def _shown(self, field: str, before, after) -> tuple:
        if field == "lead_worker_id":
            return self.emails.get(before, before), self.emails.get(after, after)
        return before, after

    def _criteria_columns(self) -> bool:
        return bool(self.columns & CRITERIA_COLUMNS.keys())

    @staticmethod
    def _criteria(family_ids: list[int]) -> dict:
        """family id -> kind -> code -> (criterion id, source), for the criteria kinds imported."""
        held: dict = {}
        query = select(
            FamilyCriterion.family_id,
            FamilyCriterion.kind,
            FamilyCriterion.code,
            FamilyCriterion.id,
            FamilyCriterion.source,
        ).where(among(FamilyCriterion.family_id, family_ids), FamilyCriterion.kind.in_(CRITERIA_COLUMNS.values()))
        for family_id, kind, code, cid, source in db.session.execute(query):
            held.setdefault(family_id, {}).setdefault(kind, {})[code] = (cid, source)
        return held

    def _state(self, family, criteria: dict) -> dict:
        """The family's audited fields as they are, with its criteria of the kinds in the file."""
        if family is None:
            return {}
        state = {f: getattr(family, f) for f in FIELDS}
        for column, kind in CRITERIA_COLUMNS.items():
            if column in self.columns:
                state[column] = sorted(criteria.get(kind, {}))
        return state
