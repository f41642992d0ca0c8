"""Evidence packs: what a spot check is shown of a family's claim, one PDF per family.

Each pack gives the family's reference, programme and attachment, the criteria it carried, each
result claimed in the window with its amount, status and reasons, internal audit's check, and
the records the result was decided on, all as they were frozen when the claim was assembled
(`tff.claims.evidence`): what the family's records say today does not enter into it.

The PDFs are drawn with ReportLab's page layout: a family's pack takes a few milliseconds, so a
window of 20,000 lines is packed in minutes on two cores (an HTML-to-PDF renderer took a quarter
of a second a family, too slow for a whole window). Families are read a few hundred at a time,
in set-based queries of plain rows, so memory stays flat however large the window.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path

from flask import current_app
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select

from tff.audit.operations import record
from tff.auth import roles
from tff.auth.models import User
from tff.cases.models import Family
from tff.cases.models.family import PROGRAMMES
from tff.claims.evidence import Frozen, read
from tff.claims.models import REJECTED, VERIFIED, ClaimBatch, ClaimEvidence, ClaimLine, ClaimWindow
from tff.claims.operations import ClaimRefused, job_user
from tff.extensions import db
from tff.jobs.models import Job
from tff.jobs.operations import JobError, start
from tff.outcomes.views import TITLES

#: families read and drawn at a time
CHUNK = 300
#: the TrueType fonts tried, in order, for text beyond the PDF's own Helvetica
FONTS = (
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
GREY = colors.HexColor("#b1b4b6")


@dataclass
class PackLine:
    outcome: str
    amount: int
    excluded: bool
    exclusion_reason: str | None
    reasons: list
    sampled: bool
    audit_state: str | None
    audit_note: str | None
    audited_by: str | None
    audited_at: datetime | None

    @property
    def title(self) -> str:
        return TITLES.get(self.outcome, self.outcome)

    @property
    def status(self) -> str:
        return "Excluded" if self.excluded else "Included"

    @property
    def audit_words(self) -> str | None:
        """Internal audit's check, in words; None when the line was not in the sample."""
        if not self.sampled:
            return None
        if self.audit_state is None:
            return "In the audit sample, not checked"
        said = {VERIFIED: "Verified", REJECTED: "Rejected"}.get(self.audit_state, self.audit_state)
        who = f" by {self.audited_by}" if self.audited_by else ""
        when = f" on {self.audited_at:%-d %B %Y}" if self.audited_at else ""
        return f"{said} by internal audit{who}{when}: {self.audit_note or ''}".rstrip(": ")


@dataclass
class PackFamily:
    reference: str
    programme: str
    attached_on: object
    lines: list[PackLine] = field(default_factory=list)
    frozen: Frozen | None = None

    @property
    def included(self) -> list[PackLine]:
        return [line for line in self.lines if not line.excluded]


# --- reading ------------------------------------------------------------------------------------


def family_refs(window: ClaimWindow, sampled_only: bool = False) -> list[str]:
    """The references of the families with an included line in the window's claim (with a line
    in the audit sample, when `sampled_only`), in order."""
    query = (
        select(ClaimLine.family_ref)
        .where(ClaimLine.batch_id == window.batch.id, ~ClaimLine.excluded)
        .distinct()
        .order_by(ClaimLine.family_ref)
    )
    if sampled_only:
        query = query.where(ClaimLine.sampled)
    return list(db.session.scalars(query))


def read_families(window: ClaimWindow, refs: list[str]) -> list[PackFamily]:
    """The packs of these families (by reference) of the window's claim, in four queries."""
    batch: ClaimBatch = window.batch
    lines = db.session.execute(
        select(
            ClaimLine.family_id,
            ClaimLine.family_ref,
            ClaimLine.outcome,
            ClaimLine.amount,
            ClaimLine.excluded,
            ClaimLine.exclusion_reason,
            ClaimLine.reasons,
            ClaimLine.sampled,
            ClaimLine.audit_state,
            ClaimLine.audit_note,
            ClaimLine.audited_by_id,
            ClaimLine.audited_at,
        )
        .where(ClaimLine.batch_id == batch.id, ClaimLine.family_ref.in_(refs))
        .order_by(ClaimLine.family_ref, ClaimLine.outcome)
    ).all()
    family_ids = sorted({row.family_id for row in lines})
    auditors = {row.audited_by_id for row in lines if row.audited_by_id}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(auditors)))) if auditors else {}
    families = {
        row.id: PackFamily(row.reference, PROGRAMMES.get(row.programme, row.programme), row.attached_on)
        for row in db.session.execute(
            select(Family.id, Family.reference, Family.programme, Family.attached_on).where(Family.id.in_(family_ids))
        )
    }
    if batch.evaluation_id is not None and family_ids:
        for family_id, evidence in db.session.execute(
            select(ClaimEvidence.family_id, ClaimEvidence.evidence).where(
                ClaimEvidence.evaluation_id == batch.evaluation_id, ClaimEvidence.family_id.in_(family_ids)
            )
        ):
            families[family_id].frozen = read(evidence)
    for row in lines:
        families[row.family_id].lines.append(
            PackLine(
                row.outcome,
                row.amount,
                row.excluded,
                row.exclusion_reason,
                list(row.reasons or []),
                row.sampled,
                row.audit_state,
                row.audit_note,
                names.get(row.audited_by_id),
                row.audited_at,
            )
        )
    return sorted(families.values(), key=lambda f: f.reference)


def in_chunks(window: ClaimWindow, refs: list[str]) -> Iterator[PackFamily]:
    """The families' packs, read `CHUNK` at a time (plain rows: the session holds none of them)."""
    for first in range(0, len(refs), CHUNK):
        yield from read_families(window, refs[first : first + CHUNK])


# --- drawing ------------------------------------------------------------------------------------

#: the PDF's own fonts: nothing to embed, so a pack is a few kilobytes
BUILT_IN = ("Helvetica", "Helvetica-Bold")
_true_type: tuple[str, str] | None = None
_styles_of: dict[tuple[str, str], dict[str, ParagraphStyle]] = {}


def _true_type_font() -> tuple[str, str]:
    """(regular, bold) of a TrueType font on the machine, embedded for text the built-in fonts
    cannot show (a name in Polish or Arabic, say); the built-in ones when there is none."""
    global _true_type
    if _true_type is None:
        _true_type = BUILT_IN
        for regular, bold in FONTS:
            if Path(regular).exists() and Path(bold).exists():
                pdfmetrics.registerFont(TTFont("PackSans", regular))
                pdfmetrics.registerFont(TTFont("PackSans-Bold", bold))
                _true_type = ("PackSans", "PackSans-Bold")
                break
    return _true_type


def _fonts_for(family: "PackFamily") -> tuple[str, str]:
    """The built-in fonts when all the family's text is in their character set, else a
    TrueType font."""
    texts = [family.reference, *(str(r) for line in family.lines for r in line.reasons)]
    texts += [line.exclusion_reason or "" for line in family.lines] + [line.audit_words or "" for line in family.lines]
    if family.frozen is not None:
        texts.append(repr((family.frozen.criteria, family.frozen.events, family.frozen.spells, family.frozen.members)))
    try:
        "".join(texts).encode("cp1252")
    except UnicodeEncodeError:
        return _true_type_font()
    return BUILT_IN


def _styles(fonts: tuple[str, str] = BUILT_IN) -> dict[str, ParagraphStyle]:
    if fonts in _styles_of:
        return _styles_of[fonts]
    regular, bold = fonts
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=regular, fontSize=9.5, leading=12)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5, spaceBefore=0, spaceAfter=0)
    _styles_of[fonts] = styles = {
        "title": ParagraphStyle("title", parent=base["Heading1"], fontName=bold, fontSize=16, leading=20),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=12.5, leading=16, spaceBefore=8),
        "h3": ParagraphStyle("h3", parent=base["Heading3"], fontName=bold, fontSize=10.5, leading=13, spaceBefore=6),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=10.5),
        "cell": cell,
        "heading": ParagraphStyle("heading", parent=cell, fontName=bold),
        "heading-number": ParagraphStyle("heading-number", parent=cell, fontName=bold, alignment=TA_RIGHT),
    }
    return styles


def _p(text, style) -> Paragraph:
    return Paragraph(escape(str(text), quote=False), style)


#: a cell's text that fits its column unwrapped, in characters per millimetre of width at the
#: cells' size: it is drawn as a plain string (fast); a longer one is a wrapping paragraph
FITS_PER_MM = 0.5


def _cell(value, width: float, style):
    text = "" if value is None else str(value)
    return text if len(text) <= width * FITS_PER_MM else _p(text, style)


def _table(header: list[str], rows: list[list], styles, widths: list[float], numeric: set[int] = frozenset()):
    """A table of records: plain strings where they fit (most cells: a ReportLab paragraph per
    cell would make a whole window's pack several times slower), paragraphs where they wrap."""
    cell = styles["cell"]
    data = [[_p(h, styles["heading-number"] if i in numeric else styles["heading"]) for i, h in enumerate(header)]]
    data += [[_cell(v, widths[i], cell) for i, v in enumerate(row)] for row in rows]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    style = [
        ("FONT", (0, 1), (-1, -1), cell.fontName, cell.fontSize),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, GREY),
        ("LINEBELOW", (0, 0), (-1, 0), 1, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i in numeric]
    table.setStyle(TableStyle(style))
    return table


def _evidence(frozen: Frozen | None, styles) -> list:
    if frozen is None:
        return [
            _p(
                "This claim was assembled before the records were kept with each claim: "
                "only the reasons above were kept.",
                styles["body"],
            )
        ]
    story = [
        _p(
            f"As they were when the claim was assembled, with evidence as of {frozen.as_of:%-d %B %Y}: "
            "a later import, correction or removal does not change them.",
            styles["small"],
        )
    ]
    if frozen.attendance:
        story.append(_p("School attendance, by term", styles["h3"]))
        rows = [
            [
                a["person_ref"],
                f"{a['term'].capitalize()} {a['academic_year']}",
                f"{a['possible']:,}",
                f"{a['unauthorised']:,}",
                f"{a['authorised']:,}",
                "" if a["absence_percent"] is None else f"{a['absence_percent']}%",
            ]
            for a in frozen.attendance
        ]
        header = ["Person", "Term", "Possible sessions", "Unauthorised absences", "Authorised absences", "Unauthorised"]
        story.append(_table(header, rows, styles, [30, 34, 26, 30, 26, 24], {2, 3, 4, 5}))
    if frozen.events:
        story.append(_p("Incidents and exclusions", styles["h3"]))
        rows = [
            [e["date"], e["person_ref"], e["label"], f"{e['source']} {e['reference'] or ''}".strip()]
            for e in frozen.events
        ]
        story.append(_table(["Date", "Person", "What", "Source and its reference"], rows, styles, [24, 30, 60, 56]))
    if frozen.spells:
        story.append(_p("Benefits, work and plans", styles["h3"]))
        rows = [
            [
                s["person_ref"],
                s["label"] + (f": {s['detail']}" if s["detail"] else ""),
                s["start_date"],
                s["end_date"] or "Still open",
            ]
            for s in frozen.spells
        ]
        story.append(_table(["Person", "What", "From", "To"], rows, styles, [30, 80, 30, 30]))
    if frozen.problems is not None:
        problems = ", ".join(frozen.problems) or "none"
        verified = ", ".join(frozen.verified or []) or "none"
        closed = f" The case closed on {frozen.closed_on:%-d %B %Y}." if frozen.closed_on else ""
        story.append(
            _p(
                f"Problems identified: {problems}. "
                f"Outcomes verified by a practitioner and approved: {verified}.{closed}",
                styles["body"],
            )
        )
    if frozen.empty:
        story.append(_p("The family had no attendance, incident, benefit or work records then.", styles["body"]))
    return story


def draw(window: ClaimWindow, family: PackFamily) -> bytes:
    """The family's pack as a PDF."""
    styles = _styles(_fonts_for(family))
    body = styles["body"]
    story: list = [
        _p(f"Evidence pack: family {family.reference}", styles["title"]),
        _p(f"Claim for {window.name}, results as of {window.as_of:%-d %B %Y}", styles["body"]),
        Spacer(1, 3 * mm),
    ]
    frozen = family.frozen
    facts = [
        ["Family", family.reference],
        ["Programme", family.programme],
        ["Attached on", f"{family.attached_on:%-d %B %Y}" if family.attached_on else "Not attached"],
        ["Results claimed", f"{len(family.included)}, £{sum(line.amount for line in family.included):,}"],
    ]
    if frozen is not None:
        carried = "; ".join(f"{c['title']} ({c['source']} {c['since']})" for c in frozen.criteria)
        facts.append(["Criteria met", carried or "None confirmed then"])
    story.append(_facts(facts, styles))
    for line in family.lines:
        part = [_p(f"{line.title}: £{line.amount:,} ({line.status.lower()})", styles["h2"])]
        if line.excluded and line.exclusion_reason:
            part.append(_p(f"Excluded: {line.exclusion_reason}", body))
        if audit := line.audit_words:
            part.append(_p(audit, body))
        part.append(_p("Why the result was claimable", styles["h3"]))
        for reason in line.reasons:
            part.append(_p(f"• {reason}", styles["small"]))
        story.append(KeepTogether(part[:3]))
        story.extend(part[3:])
    story.append(_p("The records it was decided on", styles["h2"]))
    story.extend(_evidence(frozen, styles))

    buffer = io.BytesIO()
    regular = styles["body"].fontName

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.drawString(15 * mm, 10 * mm, f"Family {family.reference} · claim for {window.name}")
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"Evidence pack: family {family.reference}, claim for {window.name}",
        author="Troubled Families case management",
        invariant=1,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _facts(rows: list[list[str]], styles) -> Table:
    table = Table([[_p(k, styles["heading"]), _p(v, styles["cell"])] for k, v in rows], colWidths=[40 * mm, 140 * mm])
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, GREY), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


# --- writing a pack -----------------------------------------------------------------------------


@dataclass
class Written:
    families: int = 0
    lines: int = 0


def files(window: ClaimWindow, refs: list[str], written: Written, progress=None) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each family's PDF (`REF.pdf`), then of `index.csv` (family_ref,
    outcome, amount, file: one row per included line); `written` counts them as they go, and
    `progress(done, total)` hears of each chunk."""
    index = io.StringIO()
    out = csv.writer(index, lineterminator="\n")
    out.writerow(["family_ref", "outcome", "amount", "file"])
    for family in in_chunks(window, refs):
        name = f"{family.reference}.pdf"
        yield name, draw(window, family)
        written.families += 1
        for line in family.included:
            out.writerow([family.reference, line.outcome, line.amount, name])
            written.lines += 1
        if progress is not None and written.families % CHUNK == 0:
            progress(written.families, len(refs))
    yield "index.csv", index.getvalue().encode("utf-8")


def write(window: ClaimWindow, folder: Path, refs: list[str]) -> tuple[int, int]:
    """Write the pack into `folder` (`flask claims evidence`). Returns (families, lines)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = Written()
    for name, content in files(window, refs, written):
        (folder / name).write_bytes(content)
    return written.families, written.lines


def counted(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def record_written(window: ClaimWindow, families: int, lines: int, where: str, user) -> None:
    """The audit trail's note that a pack left the product: whose claim, how much, where to."""
    record(
        "claim_batch.evidence_pack",
        "claim_batch",
        window.batch.id,
        f"Evidence pack of the claim for {window.name} written: {counted(families, 'family', 'families')}, "
        f"{counted(lines, 'line', 'lines')}, to {where}",
        None,
        {"families": families, "lines": lines, "to": where},
        user=user,
    )
    db.session.commit()


# --- a pack made by a background job, for the pages ----------------------------------------------

#: the job that packs a window (or its audit sample) into a ZIP for download
JOB_KIND = "claims.evidence_pack"
#: what a pack job packs: every family with an included line, those in the audit sample, or
#: those a spot check selected
EVERY, SAMPLE, SPOT_CHECK = "every", "sample", "spot_check"
CHOICES = {EVERY: "every family in the claim", SAMPLE: "the families in the audit sample"}
#: who makes and downloads evidence packs: the people who answer a spot check
PACKERS = (roles.FINANCE, roles.AUDITOR, roles.ADMIN)


def folder() -> Path:
    """Where the pack jobs leave their ZIPs (the instance folder, never the web root)."""
    return Path(current_app.instance_path) / "evidence-packs"


def zip_path(job_id: int) -> Path:
    return folder() / f"pack-{job_id}.zip"


def start_pack(window: ClaimWindow, which: str, user=None, queue: bool = True, spot_check_id: int | None = None) -> Job:
    """Start the job that packs the window's claim (`which`: EVERY, SAMPLE, or SPOT_CHECK with
    the check's id)."""
    if window.batch is None or window.batch.assembled_at is None:
        raise ClaimRefused(f"The claim for {window.name} has not been assembled yet.")
    if which not in (*CHOICES, SPOT_CHECK) or (which == SPOT_CHECK and spot_check_id is None):
        raise ClaimRefused("Choose what to pack: every family in the claim, or the audit sample.")
    if which == SAMPLE and window.batch.sampled_at is None:
        raise ClaimRefused(f"Internal audit has not drawn its sample of the claim for {window.name} yet.")
    what = f"the families of spot check {spot_check_id}" if which == SPOT_CHECK else CHOICES[which]
    params = {"window_id": window.id, "which": which, "spot_check_id": spot_check_id}
    return start(JOB_KIND, f"Evidence pack of {what} for {window.name}", params, user=user, queue=queue)


def _refs_of(window: ClaimWindow, which: str, spot_check_id: int | None) -> list[str]:
    if which == SPOT_CHECK:
        from tff.claims.spot_checks.models import SpotCheckFamily

        selected = select(SpotCheckFamily.family_ref).where(SpotCheckFamily.spot_check_id == spot_check_id)
        return sorted(set(family_refs(window)) & set(db.session.scalars(selected)))
    return family_refs(window, sampled_only=which == SAMPLE)


def run_pack(job, window_id: int, which: str, spot_check_id: int | None = None) -> dict:
    """Write the pack's PDFs and index into a ZIP beside the others, and say what is in it."""
    window = db.session.get(ClaimWindow, window_id)
    if window is None or window.batch is None:
        raise JobError("The claim window is no longer there.")
    refs = _refs_of(window, which, spot_check_id)
    job.progress(0, len(refs), f"Packing {len(refs):,} families", unit="families")
    folder().mkdir(parents=True, exist_ok=True)
    target, written = zip_path(job.id), Written()
    partial = target.with_suffix(".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as pack:
        for name, content in files(window, refs, written, lambda done, total: job.progress(done, total)):
            pack.writestr(name, content)
    partial.replace(target)  # a half-written pack is never offered
    user = db.session.get(User, job_user(job)) if job_user(job) else None
    record_written(window, written.families, written.lines, f"download {target.name}", user)
    return {
        "message": f"Packed {counted(written.families, 'family', 'families')} "
        f"({counted(written.lines, 'line', 'lines')}) of the claim for {window.name}",
        "families": written.families,
        "lines": written.lines,
        "window_id": window.id,
    }


def finished_packs(window: ClaimWindow, limit: int = 20) -> list[Job]:
    """The window's pack jobs, newest first, whose ZIP is there to download or still coming."""
    jobs = db.session.scalars(select(Job).where(Job.kind == JOB_KIND).order_by(Job.id.desc()).limit(200)).all()
    return [job for job in jobs if (job.params or {}).get("window_id") == window.id][:limit]
