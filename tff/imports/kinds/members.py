"""members.csv: a row per person; an existing `person_ref` updates that member (even moving
them to another family). The family must be in the product already (a families import)."""

from dataclasses import dataclass

from sqlalchemy import select, update

from tff.cases.models import Family, Member
from tff.cases.models.member import name_key
from tff.cases.validation import nino_problem, normalise_nino, normalise_upn, reference_problem, upn_problem
from tff.extensions import db
from tff.imports.kinds.base import BatchFormat, Cells, Row, Tally, among, bulk_insert, pairs, shown

#: the member's fields an import sets, as `Member.audit_state` names them (and its family)
FIELDS = ("family_ref", "first_name", "last_name", "date_of_birth", "sex", "upn", "nino", "relationship")
OPTIONAL = ("sex", "upn", "nino", "relationship")


def upn(cells: Cells, name: str) -> str | None:
    """A letter then 12 digits, stored upper case."""
    value = cells.raw(name)
    normalised = normalise_upn(value)
    if normalised and upn_problem(normalised):
        cells.problem(name, f"{name} {shown(value)} is not a Unique Pupil Number (a letter then 12 digits)")
        return None
    return normalised


def nino(cells: Cells, name: str) -> str | None:
    """Two letters, six digits and A-D; spaces and case do not matter; stored upper case without
    spaces. HMRC's prefix rules are not applied: the format's own example, QQ123456C, uses a
    prefix HMRC never issues."""
    value = cells.raw(name)
    normalised = normalise_nino(value)
    if normalised and nino_problem(normalised):
        cells.problem(
            name,
            f"{name} {shown(value)} is not a National Insurance number "
            "(two letters, six digits and a letter A to D, like QQ123456C)",
        )
        return None
    return normalised


@dataclass
class Context:
    #: family_ref -> family id, for the batch's families
    families: dict
    #: upn -> person_ref of who holds it, and the same for nino
    upns: dict
    ninos: dict
    #: when applying: person_ref -> the member as they are
    members: dict
    #: when applying: family id -> reference, for the families the batch's members are in now
    family_refs: dict
    #: the batch's person_refs that are members already
    known: set


class Members(BatchFormat):
    name = "members"
    title = "Members"
    required = ["family_ref", "person_ref", "first_name", "last_name", "date_of_birth"]
    optional = list(OPTIONAL)

    def parse(self, cells):
        c = Cells(cells)
        values = {
            "family_ref": c.text("family_ref", required=True, max_length=40),
            "person_ref": c.text("person_ref", required=True, max_length=40),
            "first_name": c.text("first_name", required=True, max_length=100),
            "last_name": c.text("last_name", required=True, max_length=100),
            "date_of_birth": c.date("date_of_birth", required=True, not_future=True),
            "sex": c.text("sex", max_length=20),
            "upn": upn(c, "upn"),
            "nino": nino(c, "nino"),
            "relationship": c.text("relationship", max_length=30),
        }
        born = values["date_of_birth"]
        if born and born > self.today:
            c.problem("date_of_birth", f"date_of_birth {born} is in the future")
        return c.values(values), c.reasons

    def unique_keys(self, row, context):
        values, keys = row.values, []
        person = values.get("person_ref")
        if person:
            keys.append(("person_ref", person))
        for column, holders in (("upn", context.upns), ("nino", context.ninos)):
            value = values.get(column)
            # One held by another person already (`resolve` says so) is not this row's to claim.
            if value and holders.get(value, person) == person:
                keys.append((column, value))
        return keys

    def lookup(self, rows, applying):
        wanted = {row.values.get("family_ref") for row in rows} - {None}
        upns = [row.values["upn"] for row in rows if row.values.get("upn")]
        ninos = [row.values["nino"] for row in rows if row.values.get("nino")]
        families = pairs(select(Family.reference, Family.id).where(among(Family.reference, wanted)))
        context = Context(
            families=families,
            upns=pairs(select(Member.upn, Member.person_ref).where(among(Member.upn, upns))) if upns else {},
            ninos=pairs(select(Member.nino, Member.person_ref).where(among(Member.nino, ninos))) if ninos else {},
            members={},
            family_refs={},
            known=set(),
        )
        people = [row.values["person_ref"] for row in rows if row.values.get("person_ref")]
        if people and not applying:
            context.known = set(db.session.scalars(select(Member.person_ref).where(among(Member.person_ref, people))))
        if applying:
            people = [row.values["person_ref"] for row in rows]
            columns = [Member.id, Member.person_ref, Member.family_id, *(getattr(Member, f) for f in FIELDS[1:])]
            query = select(*columns).where(among(Member.person_ref, people))
            context.members = {m.person_ref: m for m in db.session.execute(query)}
            context.known = set(context.members)
            context.family_refs = {family_id: ref for ref, family_id in families.items()}
            elsewhere = {m.family_id for m in context.members.values()} - context.family_refs.keys()
            if elsewhere:
                context.family_refs |= pairs(select(Family.id, Family.reference).where(among(Family.id, elsewhere)))
        return context

    def resolve(self, row, context):
        values, reasons = row.values, []
        family_id = context.families.get(values.get("family_ref"))
        if family_id is None and values.get("family_ref"):
            reasons.append(
                f"family_ref {shown(values['family_ref'])} is not a family in the product: "
                "import it in a families file first"
            )
        row.resolved["family_id"] = family_id
        person = values.get("person_ref")
        # A member held already keeps their reference, even one made before references were checked.
        if person not in context.known and (problem := reference_problem(person, "person_ref")):
            reasons.append(problem)
        for column, holders in (("upn", context.upns), ("nino", context.ninos)):
            value = values.get(column)
            holder = holders.get(value) if value else None
            if holder is not None and holder != values.get("person_ref"):
                reasons.append(f"{column} {value} is already held by another person, person_ref {holder}")
        return reasons

    def apply(self, rows: list[Row], context: Context, dry_run: bool) -> Tally:
        tally = Tally()
        inserts, updates, audit = [], [], []
        for row in rows:
            values = row.values
            person = values["person_ref"]
            member = context.members.get(person)
            after = {f: values.get(f) for f in FIELDS}
            if member is None:
                tally.created += 1
                inserts.append(
                    {
                        "family_id": row.resolved["family_id"],
                        "person_ref": person,
                        **{f: after[f] for f in FIELDS[1:]},
                        "first_key": name_key(after["first_name"]),
                        "last_key": name_key(after["last_name"]),
                    }
                )
                audit.append(
                    self.audit_row(
                        "member.import_create",
                        "member",
                        person,
                        f"Member {person} of family {after['family_ref']} created by import {self.run_id} "
                        f"({self.filename})",
                        None,
                        {"person_ref": person, **after},
                    )
                )
                continue
            before = {
                "family_ref": context.family_refs.get(member.family_id),
                **{f: getattr(member, f) for f in FIELDS[1:]},
            }
            for name in OPTIONAL:
                if values.get(name) is None:
                    # A column the file lacks, or an empty cell, leaves the field as it is: an
                    # import fills and corrects values, it never clears one.
                    after[name] = before[name]
            changed = [f for f in FIELDS if after[f] != before[f]]
            if not changed:
                tally.unchanged += 1
                continue
            tally.updated += 1
            self.note_change(person, {f: (before[f], after[f]) for f in changed})
            fields = {f: after[f] for f in changed if f != "family_ref"}
            if "family_ref" in changed:
                fields["family_id"] = row.resolved["family_id"]
            if "first_name" in fields:
                fields["first_key"] = name_key(fields["first_name"])
            if "last_name" in fields:
                fields["last_key"] = name_key(fields["last_name"])
            updates.append({"id": member.id, **fields})
            self.families_written.update((member.family_id, row.resolved["family_id"]))
            audit.append(
                self.audit_row(
                    "member.import_update",
                    "member",
                    person,
                    f"Member {person} updated by import {self.run_id} ({self.filename})",
                    before,
                    after,
                )
            )
        if dry_run:
            return tally
        bulk_insert(Member, inserts)
        self.families_written.update(row["family_id"] for row in inserts)
        if updates:
            db.session.execute(update(Member), updates)
        self.write_audit(audit)
        return tally
