"""Evidence packs for a spot check: one PDF per family with an included line, and an index, as
`flask claims evidence` (cli.md) writes them; each pack shows the claim as it was frozen."""

import csv
import io
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.case_work import sign_in_as, text
from tests.helpers import sign_in, submit
from tests.test_claim_evidence import _assemble, _change_the_records, _criteria
from tests.test_outcomes_cli import _example_one
from tff.audit.models import AuditEntry
from tff.claims import operations as claims
from tff.claims import packs
from tff.claims.models import ClaimLine, ClaimWindow
from tff.extensions import db
from tff.privacy.models import FamilyView


def _text(path) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages)


def _pack(app, folder, refs=None):
    with app.app_context():
        window = db.session.scalar(select(ClaimWindow).where(ClaimWindow.name == "2013-07"))
        return packs.write(window, folder, refs if refs is not None else packs.family_refs(window))


def test_a_pack_shows_the_claim_as_it_was_frozen(clean, tmp_path):
    _example_one(clean, "F001")
    _criteria(clean, "F001")
    _assemble(clean)
    _change_the_records(clean)  # after submission: the pack does not see it
    assert _pack(clean, tmp_path) == (1, 1)
    with open(tmp_path / "index.csv", newline="") as index:
        assert list(csv.reader(index)) == [
            ["family_ref", "outcome", "amount", "file"],
            ["F001", "crime_asb_education", "700", "F001.pdf"],
        ]
    words = _text(tmp_path / "F001.pdf")
    assert "Evidence pack: family F001" in words
    assert "Claim for 2013-07, results as of 31 July 2013" in words
    assert "Attached on 15 September 2012" in words
    assert "Crime, anti-social behaviour and education: £700 (included)" in words
    assert "Youth crime or anti-social behaviour (imported" in words
    assert "Poor school attendance or exclusions (confirmed 2012-09-01)" in words
    # the records as they were: the autumn term's 20 absences, the incident since removed
    assert "F001-C Autumn 2011/12 100 20 0 20.0%" in words
    assert "2012-03-15 F001-C Anti-social behaviour police" in words
    assert "JSA" not in words


def test_only_families_with_an_included_line_are_packed(clean, tmp_path):
    _example_one(clean, "F001")
    _example_one(clean, "F002")
    _assemble(clean, submit=False)
    with clean.app_context():
        window = db.session.scalar(select(ClaimWindow).where(ClaimWindow.name == "2013-07"))
        line = claims.get_line(window, "F002", "crime_asb_education")
        claims.exclude(window, line, "Moved out of the area before the claim")
    assert _pack(clean, tmp_path) == (1, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["F001.pdf", "index.csv"]


def test_a_window_with_nothing_included_writes_an_empty_index(clean, tmp_path):
    with clean.app_context():
        claims.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
    assert _pack(clean, tmp_path, refs=[]) == (0, 0)
    assert (tmp_path / "index.csv").read_text().splitlines() == ["family_ref,outcome,amount,file"]


def test_flask_claims_evidence_writes_the_pack_as_cli_md_says(clean, tmp_path):
    _example_one(clean, "F001")
    _example_one(clean, "F002")
    _assemble(clean)
    runner = clean.test_cli_runner()
    result = runner.invoke(args=["claims", "evidence", "2013-07", "--out", str(tmp_path / "pack")])
    assert result.exit_code == 0, result.output
    assert "2 families, 2 lines" in result.output
    assert sorted(p.name for p in (tmp_path / "pack").iterdir()) == ["F001.pdf", "F002.pdf", "index.csv"]
    one = runner.invoke(args=["claims", "evidence", "2013-07", "--out", str(tmp_path / "one"), "--family", "F002"])
    assert one.exit_code == 0, one.output
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["F002.pdf", "index.csv"]
    # the audit trail says each pack left the product
    with clean.app_context():
        written = db.session.scalars(
            select(AuditEntry.summary).where(AuditEntry.action == "claim_batch.evidence_pack").order_by(AuditEntry.id)
        ).all()
    assert len(written) == 2 and "2 families, 2 lines" in written[0] and "1 family, 1 line," in written[1]


def test_a_pack_that_cannot_be_written_is_refused_with_why(clean, tmp_path):
    _example_one(clean, "F001")
    runner = clean.test_cli_runner()
    with clean.app_context():
        claims.create_window("2013-07", date(2013, 7, 31), sample_percent=0)
    early = runner.invoke(args=["claims", "evidence", "2013-07", "--out", str(tmp_path)])
    assert early.exit_code == 1 and "has not been assembled yet" in early.output
    _assemble(clean)
    missing = runner.invoke(args=["claims", "evidence", "2013-07", "--out", str(tmp_path), "--family", "F009"])
    assert missing.exit_code == 1 and "has no included line for family F009" in missing.output
    unknown = runner.invoke(args=["claims", "evidence", "nope", "--out", str(tmp_path)])
    assert unknown.exit_code == 1 and "no claim window named 'nope'" in unknown.output
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    stuck = runner.invoke(args=["claims", "evidence", "2013-07", "--out", str(blocked / "pack")])
    assert stuck.exit_code == 2 and "cannot write the pack" in stuck.output


# --- on the pages ---------------------------------------------------------------------------------


@pytest.fixture
def packed_here(monkeypatch):
    """Packs made in this process, as a worker would make them."""
    real = packs.start_pack
    monkeypatch.setattr(
        packs, "start_pack", lambda window, which, user=None, **kw: real(window, which, user, queue=False)
    )


def _window_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(ClaimWindow.id).where(ClaimWindow.name == "2013-07"))


def test_a_finance_officer_downloads_a_family_s_pack_from_the_claim(client, make, clean):
    _example_one(clean, "F001")
    _assemble(clean)
    finance = make.user("finance")
    sign_in(client, finance.email)
    window_id = _window_id(clean)
    response = client.get(f"/claims/{window_id}/families/F001/evidence.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "evidence-2013-07-F001.pdf" in response.headers["Content-Disposition"]
    assert "Evidence pack: family F001" in " ".join(
        (page.extract_text() or "") for page in PdfReader(io.BytesIO(response.data)).pages
    )
    assert client.get(f"/claims/{window_id}/families/F009/evidence.pdf").status_code == 404
    with clean.app_context():
        viewed = db.session.execute(select(FamilyView.user_id, FamilyView.family_id)).all()
    assert len(viewed) == 1 and viewed[0][0] == finance.id


@pytest.mark.parametrize(("role", "status"), [("auditor", 200), ("admin", 302), ("manager", 403), ("coordinator", 403)])
def test_who_may_download_a_pack(client, make, clean, role, status):
    """Finance officers and internal audit answer spot checks; an administrator makes packs of
    a whole claim, but a family's own pack is its results, which an administrator reads only by
    breaking the glass (302 to give a reason); the others' roles never pack."""
    _example_one(clean, "F001")
    _assemble(clean)
    sign_in(client, make.user(role).email)
    assert client.get(f"/claims/{_window_id(clean)}/families/F001/evidence.pdf").status_code == status


def test_a_whole_claim_is_packed_by_a_job_and_downloaded_as_a_zip(client, make, clean, packed_here):
    _example_one(clean, "F001")
    _example_one(clean, "F002")
    _assemble(clean)
    sign_in(client, make.user("auditor").email)
    window_id = _window_id(clean)
    page = client.get(f"/claims/{window_id}").get_data(as_text=True)
    assert "Make the evidence pack" in page
    assert 'value="sample"' not in page  # no audit sample drawn: only the whole claim
    started = submit(client, f"/claims/{window_id}/packs", {"which": "every"})
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    listed = text(client.get(f"/claims/{window_id}"))
    assert "Evidence pack of every family in the claim for 2013-07 (2 families, made" in listed
    job_id = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    download = client.get(f"/claims/{window_id}/packs/{job_id}.zip")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.data)) as pack:
        assert sorted(pack.namelist()) == ["F001.pdf", "F002.pdf", "index.csv"]
    assert client.get(f"/claims/{window_id}/packs/{job_id + 1}.zip").status_code == 404
    with clean.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "claim_batch.evidence_pack")) == 1


def test_the_audit_sample_cannot_be_packed_before_it_is_drawn(client, make, clean):
    _example_one(clean, "F001")
    _assemble(clean, submit=False)
    sign_in(client, make.user("finance").email)
    window_id = _window_id(clean)
    refused = submit(client, f"/claims/{window_id}/packs", {"which": "sample"})
    assert refused.status_code == 302
    assert "has not drawn its sample" in text(client.get(refused.headers["Location"]))


def test_text_beyond_the_pdf_s_own_fonts_is_drawn_in_an_embedded_font():
    """A name in Polish in a reason: the built-in fonts cannot show Ł, so the pack embeds one
    that can; a pack of plain English text embeds nothing and stays small."""
    window = ClaimWindow(name="2013-07", as_of=date(2013, 7, 31))

    def pack(reason: str) -> bytes:
        line = packs.PackLine("crime_asb_education", 700, False, None, [reason], False, None, None, None, None)
        return packs.draw(window, packs.PackFamily("F001", "Phase one (2012)", date(2012, 9, 15), [line]))

    plain = pack("asb: relevant, met: 5 -> 1 (80%) – Casey’s incidents, £700")
    polish = pack("asb: relevant, met: 5 -> 1 (80%) – Łukasz Wójcik’s incidents")
    assert "Casey’s incidents, £700" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(plain)).pages)
    assert "Łukasz Wójcik’s incidents" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(polish)).pages)
    assert len(plain) < 10_000 < len(polish)


def test_the_line_page_offers_its_family_s_pack_to_those_who_make_packs(client, make, clean):
    _example_one(clean, "F001")
    window_id = _assemble(clean)
    with clean.app_context():
        line_id = db.session.scalar(select(ClaimLine.id))
    link = f'href="/claims/{window_id}/families/F001/evidence.pdf"'
    sign_in(client, make.user("auditor").email)
    assert link in client.get(f"/claims/{window_id}/lines/{line_id}").get_data(as_text=True)
    sign_in_as(client, make.user("manager"))
    page = client.get(f"/claims/{window_id}/lines/{line_id}").get_data(as_text=True)
    assert "The records it was decided on" in page and link not in page
