"""A synthetic cohort in the import formats of `data-formats.md`, made deterministically.

Rows are yielded one family at a time, so the same code makes a demo of a few hundred
families and a benchmark cohort of a region's 100,000 without holding it in memory.
The families follow the programme's patterns: poor attendance, ASB and youth offending in
the six months before attachment, adults on out-of-work benefits, and for many of them
improvement afterwards, so that some results are met and some narrowly missed. The demo's
cohort (`CohortMaker.demo`) also has identified families whose evidence meets the criteria, so
that a coordinator has suggestions to confirm on the first day.
"""

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta

from tff.cases.eligibility import NATIONAL
from tff.evidence.kinds import default_term_dates
from tff.outcomes.plans import default_plans

FAMILY_COLUMNS = [
    "family_ref",
    "programme",
    "identified_on",
    "attached_on",
    "postcode",
    "lead_worker_email",
    "local_criteria",
    "problems",
    "outcome_plan",
]
MEMBER_COLUMNS = [
    "family_ref",
    "person_ref",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "upn",
    "nino",
    "relationship",
]
ATTENDANCE_COLUMNS = [
    "person_ref",
    "academic_year",
    "term",
    "possible_sessions",
    "authorised_absence_sessions",
    "unauthorised_absence_sessions",
    "school",
]
EVENT_COLUMNS = ["person_ref", "kind", "date", "reference", "source", "detail"]
SPELL_COLUMNS = ["person_ref", "kind", "start_date", "end_date", "detail", "reference", "source"]

FIRST_NAMES_F = [
    "Amy",
    "Chloe",
    "Demi",
    "Ellie",
    "Gemma",
    "Jade",
    "Kayleigh",
    "Leanne",
    "Megan",
    "Paige",
    "Shannon",
    "Zara",
    "Aisha",
    "Maria",
]
FIRST_NAMES_M = [
    "Aaron",
    "Callum",
    "Connor",
    "Dean",
    "Jordan",
    "Kyle",
    "Liam",
    "Mason",
    "Reece",
    "Ryan",
    "Tyler",
    "Wayne",
    "Imran",
    "Tomasz",
]
LAST_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Walker",
    "Wright",
    "Hall",
    "Green",
    "Wood",
    "Clarke",
    "Hussain",
    "O'Neill",
    "Kowalski",
    "Booth",
    "Shaw",
    "Hughes",
    "Parkin",
]
POSTCODE_AREAS = ["S60", "S61", "S62", "S63", "S64", "S65", "S66", "S25", "S26"]
SCHOOLS = [
    "Oakwood High",
    "Wath Academy",
    "Clifton Community",
    "Rawmarsh Community",
    "Thrybergh Academy",
    "Brinsworth Primary",
    "Ferham Primary",
]
LOCAL_CRITERIA = ["deprived_area", "benefit_cap", "adult_mental_health", "domestic_abuse", "substance_misuse"]
#: the problem codes a family of each programme carries: the headline problems of the shipped
#: plan that measures it (which the demo adopts), in the plan's order
PROBLEMS = {plan.framework: [problem.code for problem in plan.problems] for plan in default_plans()}
#: how many headline problems a family of each programme has (a Supporting Families family at
#: least three, a phase two family at least two)
PROBLEM_COUNTS = {"phase2": (2, 3), "supporting_families": (3, 4)}
#: the practitioner-verified outcomes of the shipped plans that a family making progress on a
#: problem achieves, recorded by a coordinator and approved by a manager once it is loaded
VERIFIED_OUTCOMES = {
    "phase2": {"health": ["engaged_with_health_service"]},
    "supporting_families": {
        "early_years": ["early_years_development_on_track"],
        "health": ["engaged_with_health_service"],
        "substance_use": ["substance_use_better_managed"],
        "family_relationships": ["family_relationships_improved"],
        "domestic_abuse": ["safety_plan_in_place"],
        "housing": ["housing_secure"],
        "financial_stability": ["financial_stability_improved"],
    },
}
#: when the families of each programme were identified: phase one from April 2012, phase two
#: from April 2015, Supporting Families from October 2022 (each attached 1 to 13 weeks later)
IDENTIFIED_BETWEEN = {
    "phase1": (date(2012, 4, 1), date(2014, 9, 30)),
    "phase2": (date(2015, 4, 1), date(2019, 9, 30)),
    "supporting_families": (date(2022, 10, 1), date(2024, 9, 30)),
}
#: the dates the demo's results are worth looking at as of: the end of each programme's funding
#: (`PROGRAMME_ENDS`), by which some of its families are claimable. Evidence after them has mostly
#: not arrived yet.
DEMO_AS_OF = {"phase2": date(2020, 3, 31), "supporting_families": date(2025, 3, 31)}
#: the date the phase one cohort's evidence is as of: school terms starting after it have mostly
#: not been sent yet
PHASE_ONE_AS_OF = date(2014, 4, 30)
#: the dates the suggested criteria of the demo's identified families are worked out as of, one
#: per programme: phase one's as of its evidence, phase two's and Supporting Families' on the last
#: day the demo identifies their families, when their shipped plans are in force. One date for
#: every programme would find no evidence of the others: phase one's is in 2012 to 2014, the
#: Supporting Families plan in force from October 2022.
IDENTIFY_AS_OF = {
    "phase1": PHASE_ONE_AS_OF,
    "phase2": IDENTIFIED_BETWEEN["phase2"][1],
    "supporting_families": IDENTIFIED_BETWEEN["supporting_families"][1],
}
#: the identified families, not attached, whose criteria a coordinator confirms on the first
#: sign-in, each with the evidence it has on its programme's `IDENTIFY_AS_OF`: phase one families
#: meeting all three national criteria (crime or ASB, school, work), and others meeting two of
#: them beside a domestic abuse incident; a phase two and a Supporting Families family whose
#: evidence meets their shipped plans' identify rules; and one family with no evidence at all,
#: whose attachment is refused until a coordinator records why.
SHOWCASE = (
    ("phase1", ("asb", "absence", "benefit")),
    ("phase1", ("asb", "benefit", "domestic_abuse")),
    ("phase2", ("asb", "benefit", "care_plan")),
    ("supporting_families", ("offence", "absence", "benefit", "care_plan", "domestic_abuse")),
    ("phase1", ()),
    ("phase1", ("offence", "fixed_exclusions", "benefit")),
    ("phase1", ("absence", "benefit", "domestic_abuse")),
    ("phase1", ("asb", "permanent_exclusion", "benefit")),
)
#: where the references of the `SHOWCASE` families' evidence are numbered from, clear of the
#: others' (which count up from 1)
SHOWCASE_REFS = 90_000_000
#: sessions a term offers (two a school day)
TERM_SESSIONS = {"autumn": 140, "spring": 120, "summer": 130}
NINO_FIRST = "ABCEGHJKLMNPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"


@dataclass
class Cohort:
    """Every row of a cohort, per format, as lists of dicts (for small cohorts and tests)."""

    families: list = field(default_factory=list)
    members: list = field(default_factory=list)
    attendance: list = field(default_factory=list)
    events: list = field(default_factory=list)
    spells: list = field(default_factory=list)


def phase_one_criteria(number: int, local_filter: bool) -> list[str]:
    """The national criteria of an attached phase one family, which make it eligible: all three,
    or, beside a local filter, two of them for one family in two. Worked out from the family's
    number, so the cohort's other values stay as they are for a seed."""
    if not local_filter or number % 2:
        return list(NATIONAL)
    return [code for i, code in enumerate(NATIONAL) if i != number // 2 % len(NATIONAL)]


def families_file_row(family: dict) -> dict:
    """The row of families.csv for a family: a phase one family without its attachment date,
    as it is attached in the product once its national criteria are confirmed."""
    if family["programme"] == "phase1" and family["attached_on"]:
        return {**family, "attached_on": ""}
    return family


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


def _terms_around(attached: date, before: int, after: int):
    """(academic_year, term, start, end, possible) for terms around an attachment date."""
    terms = []
    for year in range(attached.year - 2, attached.year + 3):
        academic_year = f"{year}/{str(year + 1)[2:]}"
        for term, possible in TERM_SESSIONS.items():
            start, end = default_term_dates(academic_year, term)
            terms.append((academic_year, term, start, end, possible))
    terms.sort(key=lambda t: t[2])
    earlier = [t for t in terms if t[3] < attached][-before:]
    later = [t for t in terms if t[3] >= attached][:after]
    return earlier, later


def last_terms(day: date, n: int = 3):
    """(academic_year, term, start, end, possible) of the `n` latest terms of the default
    calendar ending on or before the day, earliest first: the terms identification reads."""
    terms = []
    for year in range(day.year - 2, day.year + 1):
        academic_year = f"{year}/{str(year + 1)[2:]}"
        for term, possible in TERM_SESSIONS.items():
            start, end = default_term_dates(academic_year, term)
            if end <= day:
                terms.append((academic_year, term, start, end, possible))
    return sorted(terms, key=lambda t: t[2])[-n:]


class CohortMaker:
    def __init__(self, seed: int = 1, lead_worker_emails: list[str] | None = None, as_of: date = PHASE_ONE_AS_OF):
        self.seed = seed
        self.rng = random.Random(seed)  # made-up demo data, the same for a seed  # nosec B311
        self.lead_worker_emails = lead_worker_emails or []
        self.as_of = as_of
        self.upns: set[str] = set()
        self.ninos: set[str] = set()
        self.refs = 0
        #: family_ref -> the day its case closed (Supporting Families families whose progress
        #: is then sustained): closing a case is done in the product, not by an import
        self.closures: dict[str, date] = {}
        #: family_ref -> (achieved on, the verified outcome codes it achieved)
        self.verified: dict[str, tuple[date, list[str]]] = {}
        #: family_ref -> (attached on, the national criteria a person confirmed) of the attached
        #: phase one families: no import carries national criteria, so these families are
        #: attached in the product once their criteria are confirmed (`phase_one_case_work`)
        self.phase_one: dict[str, tuple[date, list[str]]] = {}

    def _upn(self) -> str:
        while True:
            upn = self.rng.choice(string.ascii_uppercase) + "".join(self.rng.choices(string.digits, k=12))
            if upn not in self.upns:
                self.upns.add(upn)
                return upn

    def _nino(self) -> str:
        while True:
            nino = (
                self.rng.choice(NINO_FIRST)
                + self.rng.choice(NINO_SECOND)
                + "".join(self.rng.choices(string.digits, k=6))
                + self.rng.choice("ABCD")
            )
            if nino not in self.ninos:
                self.ninos.add(nino)
                return nino

    def _postcode(self) -> str:
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        area = self.rng.choice(POSTCODE_AREAS)
        return f"{area} {self.rng.randrange(1, 10)}{self.rng.choice(letters)}{self.rng.choice(letters)}"

    def _ref(self, prefix: str) -> str:
        self.refs += 1
        return f"{prefix}{self.refs:08d}"

    def _day_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange(max(1, (end - start).days)))

    def family(self, number: int):
        """(family row, member rows, attendance rows, event rows, spell rows) of one family."""
        rng = self.rng
        ref = f"F{number:06d}"
        programme = rng.choices(["phase1", "phase2", "supporting_families"], weights=[70, 20, 10])[0]
        identified = self._day_between(*IDENTIFIED_BETWEEN[programme])
        attached = identified + timedelta(days=rng.randrange(7, 90)) if rng.random() < 0.85 else None
        fewest, most = PROBLEM_COUNTS.get(programme, (0, 0))
        problems = sorted(rng.sample(PROBLEMS[programme], rng.randrange(fewest, most + 1))) if most else []
        family = {
            "family_ref": ref,
            "programme": programme,
            "identified_on": _d(identified),
            "attached_on": _d(attached),
            "postcode": self._postcode(),
            "lead_worker_email": rng.choice(self.lead_worker_emails)
            if self.lead_worker_emails and rng.random() < 0.6
            else "",
            "local_criteria": ";".join(sorted(rng.sample(LOCAL_CRITERIA, rng.randrange(0, 3)))),
            "problems": ";".join(problems),
            "outcome_plan": "",
        }
        if programme == "phase1" and attached is not None:
            self.phase_one[ref] = (attached, phase_one_criteria(number, bool(family["local_criteria"])))
        anchor = attached or identified
        last_name = rng.choice(LAST_NAMES)
        members, attendance, events, spells = [], [], [], []
        adults = []
        for i in range(1 if rng.random() < 0.35 else 2):
            female = i == 0
            person = {
                "family_ref": ref,
                "person_ref": f"{ref}-{i + 1:02d}",
                "first_name": rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M),
                "last_name": last_name,
                "date_of_birth": _d(
                    self._day_between(anchor - timedelta(days=365 * 50), anchor - timedelta(days=365 * 22))
                ),
                "sex": "F" if female else "M",
                "upn": "",
                "nino": self._nino(),
                "relationship": "mother" if female else rng.choice(["father", "step_parent"]),
            }
            members.append(person)
            adults.append(person)
        children = []
        used_names = {m["first_name"] for m in members}
        for _ in range(rng.randrange(1, 5)):
            female = rng.random() < 0.5
            names = [n for n in (FIRST_NAMES_F if female else FIRST_NAMES_M) if n not in used_names]
            born = self._day_between(anchor - timedelta(days=365 * 16), anchor - timedelta(days=365 * 5))
            person = {
                "family_ref": ref,
                "person_ref": f"{ref}-{len(members) + 1:02d}",
                "first_name": rng.choice(names),
                "last_name": last_name if rng.random() < 0.8 else rng.choice(LAST_NAMES),
                "date_of_birth": _d(born),
                "sex": "F" if female else "M",
                "upn": self._upn(),
                "nino": "",
                "relationship": "child",
            }
            members.append(person)
            children.append(person)
            used_names.add(person["first_name"])

        improves = rng.random() < 0.6
        school_problem = rng.random() < 0.6
        baseline_terms, later_terms = _terms_around(anchor, 3, 6)
        as_of = DEMO_AS_OF.get(programme, self.as_of)
        for child in children:
            school = rng.choice(SCHOOLS)
            troubled = school_problem and rng.random() < 0.7
            for index, (year, term, start, _end, possible) in enumerate(baseline_terms + later_terms):
                if start > as_of and rng.random() < 0.9:
                    continue
                after = index >= len(baseline_terms)
                # Troubled children miss 15-35% of sessions until (if ever) things improve; the
                # others miss up to 12%, and once things improve up to 6%.
                if troubled and not (after and improves):
                    rate = rng.uniform(0.15, 0.35)
                else:
                    rate = rng.uniform(0.0, 0.06 if after and improves else 0.12)
                unauthorised = round(possible * rate)
                authorised = min(possible - unauthorised, rng.randrange(0, 8 if after and improves else 12))
                attendance.append(
                    {
                        "person_ref": child["person_ref"],
                        "academic_year": year,
                        "term": term,
                        "possible_sessions": possible,
                        "authorised_absence_sessions": authorised,
                        "unauthorised_absence_sessions": unauthorised,
                        "school": school,
                    }
                )
            if troubled and rng.random() < 0.3:
                start, end = baseline_terms[0][2], baseline_terms[-1][3]
                for _ in range(rng.randrange(1, 4)):
                    events.append(self._event(child, "fixed_exclusion", self._day_between(start, end), "school"))

        if rng.random() < 0.55:
            for _ in range(rng.randrange(1, 8)):
                who = rng.choice(members)
                events.append(
                    self._event(who, "asb", self._day_between(anchor - timedelta(days=182), anchor), "asb_unit")
                )
            for _ in range(rng.randrange(0, 2) if improves else rng.randrange(1, 6)):
                who = rng.choice(members)
                events.append(
                    self._event(
                        who,
                        "asb",
                        self._day_between(anchor + timedelta(days=180), anchor + timedelta(days=540)),
                        "police",
                    )
                )
        youths = [c for c in children if date.fromisoformat(c["date_of_birth"]) < anchor - timedelta(days=365 * 10)]
        if youths and rng.random() < 0.3:
            for _ in range(rng.randrange(1, 4)):
                events.append(
                    self._event(
                        rng.choice(youths), "offence", self._day_between(anchor - timedelta(days=182), anchor), "yot"
                    )
                )
            if not improves:
                events.append(
                    self._event(
                        rng.choice(youths),
                        "offence",
                        self._day_between(anchor + timedelta(days=200), anchor + timedelta(days=500)),
                        "yot",
                    )
                )
        if rng.random() < 0.2:
            events.append(
                self._event(
                    adults[0], "domestic_abuse", self._day_between(anchor - timedelta(days=300), anchor), "police"
                )
            )

        for adult in adults:
            if rng.random() < 0.7:
                benefit_start = self._day_between(anchor - timedelta(days=900), anchor - timedelta(days=60))
                works = improves and rng.random() < 0.25
                job_start = (
                    self._day_between(anchor + timedelta(days=30), anchor + timedelta(days=400)) if works else None
                )
                spells.append(
                    self._spell(
                        adult,
                        "benefit",
                        benefit_start,
                        job_start - timedelta(days=1) if job_start else None,
                        rng.choice(["JSA", "ESA", "IS", "IB"]),
                        "dwp",
                    )
                )
                if rng.random() < 0.3:
                    spells.append(
                        self._spell(
                            adult,
                            rng.choice(["work_programme", "esf"]),
                            self._day_between(anchor, anchor + timedelta(days=300)),
                            None,
                            "",
                            "provider",
                        )
                    )
                if job_start:
                    spells.append(
                        self._spell(
                            adult,
                            "employment",
                            job_start,
                            None,
                            rng.choice(["16 hours", "30 hours", "Warehouse", "Care assistant"]),
                            "employer",
                        )
                    )
        if rng.random() < 0.15 and children:
            start = self._day_between(anchor - timedelta(days=400), anchor)
            spells.append(
                self._spell(
                    children[0],
                    rng.choice(["cin_plan", "cp_plan"]),
                    start,
                    start + timedelta(days=rng.randrange(90, 500)),
                    "",
                    "social_care",
                )
            )
        if attached is not None and improves:
            self._progress(ref, programme, problems, attached)
        return family, members, attendance, events, spells

    def _progress(self, ref: str, programme: str, problems: list[str], attached: date) -> None:
        """The case work of a family making progress: its verified outcomes, achieved about four
        months after attachment, and for Supporting Families its case closed 5 to 12 months
        after attachment (progress is then sustained 6 months after closure)."""
        codes = [code for problem in problems for code in VERIFIED_OUTCOMES.get(programme, {}).get(problem, [])]
        if codes:
            self.verified[ref] = (attached + timedelta(days=120), codes)
        if programme == "supporting_families":
            self.closures[ref] = attached + timedelta(days=self.rng.randrange(150, 365))

    def _event(self, person, kind, day, source):
        return {
            "person_ref": person["person_ref"],
            "kind": kind,
            "date": _d(day),
            "reference": self._ref("E"),
            "source": source,
            "detail": "",
        }

    def _spell(self, person, kind, start, end, detail, source):
        return {
            "person_ref": person["person_ref"],
            "kind": kind,
            "start_date": _d(start),
            "end_date": _d(end),
            "detail": detail,
            "reference": self._ref("S"),
            "source": source,
        }

    def families(self, count: int, first: int = 1):
        for number in range(first, first + count):
            yield self.family(number)

    def demo(self, count: int):
        """The demo's `count` families: those `families` makes, except that the first of them
        left identified or of phase one are made the `SHOWCASE` families instead, in its order.
        Phase two's and Supporting Families' attached families, whose results the demo shows,
        stay as they are for the seed; the showcase is made by a generator of its own, so that
        every other family is too."""
        maker = CohortMaker(self.seed, self.lead_worker_emails, self.as_of)
        maker.rng = random.Random(f"showcase {self.seed}")  # nosec B311
        maker.upns, maker.ninos, maker.refs = self.upns, self.ninos, SHOWCASE_REFS
        waiting = list(SHOWCASE)
        for number in range(1, count + 1):
            parts = self.family(number)
            family = parts[0]
            if waiting and (not family["attached_on"] or family["programme"] == "phase1"):
                for made in (self.phase_one, self.verified, self.closures):
                    made.pop(family["family_ref"], None)
                programme, shows = waiting.pop(0)
                parts = maker.showcase_family(number, programme, shows)
            yield parts

    def _member(self, ref: str, index: int, female: bool, last_name: str, born: date, relationship: str) -> dict:
        child = relationship == "child"
        return {
            "family_ref": ref,
            "person_ref": f"{ref}-{index:02d}",
            "first_name": self.rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M),
            "last_name": last_name,
            "date_of_birth": _d(born),
            "sex": "F" if female else "M",
            "upn": self._upn() if child else "",
            "nino": "" if child else self._nino(),
            "relationship": relationship,
        }

    def showcase_family(self, number: int, programme: str, shows: tuple[str, ...]):
        """(family row, member rows, attendance rows, event rows, spell rows) of an identified
        family, not attached, whose evidence on its programme's `IDENTIFY_AS_OF` shows what
        `shows` names and nothing else the criteria read: `asb` (ASB in the last 5 months),
        `offence` (by the elder child, 14 to 15), `absence` (the elder child's unauthorised
        absence 18% to 30% over the last 3 terms), `fixed_exclusions` (3 of them) or
        `permanent_exclusion` (in the last 3 terms), `benefit` (an out-of-work benefit open on the
        date), `domestic_abuse` (an incident in the last 10 months), `care_plan` (the younger
        child's Child in Need or Child Protection plan open on the date)."""
        rng = self.rng
        ref = f"F{number:06d}"
        day = IDENTIFY_AS_OF[programme]
        family = {
            "family_ref": ref,
            "programme": programme,
            "identified_on": _d(day - timedelta(days=rng.randrange(14, 60))),
            "attached_on": "",
            "postcode": self._postcode(),
            "lead_worker_email": rng.choice(self.lead_worker_emails) if self.lead_worker_emails else "",
            "local_criteria": "",
            "problems": "",
            "outcome_plan": "",
        }
        last_name = rng.choice(LAST_NAMES)
        members = [
            self._member(ref, 1, True, last_name, day - timedelta(days=rng.randrange(365 * 25, 365 * 45)), "mother")
        ]
        if rng.random() < 0.5:
            born = day - timedelta(days=rng.randrange(365 * 25, 365 * 50))
            members.append(self._member(ref, 2, False, last_name, born, rng.choice(["father", "step_parent"])))
        adults = list(members)
        elder = self._member(
            ref,
            len(members) + 1,
            rng.random() < 0.5,
            last_name,
            day - timedelta(days=rng.randrange(5130, 5800)),
            "child",
        )
        members.append(elder)
        younger = self._member(
            ref,
            len(members) + 1,
            rng.random() < 0.5,
            last_name,
            day - timedelta(days=rng.randrange(2300, 4000)),
            "child",
        )
        members.append(younger)
        attendance, events, spells = [], [], []
        if not shows:
            return family, members, attendance, events, spells
        terms = last_terms(day)
        school = rng.choice(SCHOOLS)
        for child in (elder, younger):
            troubled = child is elder and "absence" in shows
            for year, term, _start, _end, possible in terms:
                unauthorised = round(possible * (rng.uniform(0.18, 0.30) if troubled else rng.uniform(0.0, 0.06)))
                attendance.append(
                    {
                        "person_ref": child["person_ref"],
                        "academic_year": year,
                        "term": term,
                        "possible_sessions": possible,
                        "authorised_absence_sessions": rng.randrange(0, 6),
                        "unauthorised_absence_sessions": unauthorised,
                        "school": school,
                    }
                )
        if "fixed_exclusions" in shows:
            for _year, _term, start, _end, _possible in terms:
                events.append(
                    self._event(elder, "fixed_exclusion", start + timedelta(days=rng.randrange(10, 60)), "school")
                )
        if "permanent_exclusion" in shows:
            start = terms[-1][2]
            events.append(
                self._event(elder, "permanent_exclusion", start + timedelta(days=rng.randrange(10, 60)), "school")
            )
        recent = (day - timedelta(days=150), day - timedelta(days=10))
        if "asb" in shows:
            for _ in range(rng.randrange(2, 4)):
                events.append(self._event(rng.choice(members), "asb", self._day_between(*recent), "asb_unit"))
        if "offence" in shows:
            for _ in range(rng.randrange(1, 3)):
                events.append(self._event(elder, "offence", self._day_between(*recent), "yot"))
        if "domestic_abuse" in shows:
            when = self._day_between(day - timedelta(days=300), day - timedelta(days=20))
            events.append(self._event(adults[0], "domestic_abuse", when, "police"))
        if "benefit" in shows:
            start = day - timedelta(days=rng.randrange(200, 900))
            spells.append(
                self._spell(rng.choice(adults), "benefit", start, None, rng.choice(["JSA", "ESA", "IS", "IB"]), "dwp")
            )
        if "care_plan" in shows:
            start = day - timedelta(days=rng.randrange(30, 300))
            end = day + timedelta(days=rng.randrange(60, 300))
            spells.append(self._spell(younger, rng.choice(["cin_plan", "cp_plan"]), start, end, "", "social_care"))
        events.sort(key=lambda e: e["date"])
        return family, members, attendance, events, spells


def make_cohort(count: int, seed: int = 1, lead_worker_emails: list[str] | None = None) -> Cohort:
    cohort = Cohort()
    for family, members, attendance, events, spells in CohortMaker(seed, lead_worker_emails).families(count):
        cohort.families.append(family)
        cohort.members.extend(members)
        cohort.attendance.extend(attendance)
        cohort.events.extend(events)
        cohort.spells.extend(spells)
    return cohort
