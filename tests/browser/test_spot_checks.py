"""A spot check walked in Chromium: from a submitted claim, a finance officer records the families
the national team selected, makes their evidence pack and downloads it, and records what the
check found: one family upheld, one not, whose £700 is clawed back and shows on the funding
dashboard.

The live server has no worker: the pack job runs in the request (`queue=False`), through the
real job machinery."""

import io
import zipfile

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.test_claims import sign_out
from tests.browser.test_families import fill_date
from tests.browser.test_journeys import heading, sign_in
from tests.test_claim_evidence import _assemble
from tests.test_outcomes_cli import _example_one
from tff.claims import packs

pytestmark = pytest.mark.browser


@pytest.fixture
def packed_here(monkeypatch):
    real = packs.start_pack
    monkeypatch.setattr(packs, "start_pack", lambda *a, **kw: real(*a, **{**kw, "queue": False}))


def test_a_spot_check_from_a_submitted_claim_to_a_pack_and_a_clawback(page, live, packed_here):
    for ref in ("F001", "F002", "F003"):
        _example_one(live.app, ref)
    window_id = _assemble(live.app)
    finance = live.make.user("finance", name="Fran Finance")

    sign_in(page, finance.email)
    page.get_by_role("link", name="Claims").first.click()
    page.get_by_role("link", name="2013-07").click()
    page.get_by_role("link", name="Spot checks").click()
    expect(heading(page, "Spot checks")).to_be_visible()
    page.get_by_label("The families selected").fill("F002\nF003")
    fill_date(page, "Selected on", 2, 9, 2013)
    page.get_by_label("The national team’s reference (optional)").fill("TFU/13/044")
    page.get_by_role("button", name="Record the spot check").click()
    expect(heading(page, "Spot check of 2 Sep 2013")).to_be_visible()
    expect(page.get_by_role("heading", name="F002: £700 claimed")).to_be_visible()

    # the pack of the selected families, made by a job and downloaded
    page.get_by_role("button", name="Make the evidence pack of these families").click()
    expect(page.get_by_text("Packed 2 families (2 lines) of the claim for 2013-07")).to_be_visible()
    page.goto(f"/claims/{window_id}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Evidence pack of the families of spot check").first.click()
    with zipfile.ZipFile(download_info.value.path()) as pack:
        assert sorted(pack.namelist()) == ["F002.pdf", "F003.pdf", "index.csv"]
        words = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pack.read("F002.pdf"))).pages)
    assert "Evidence pack: family F002" in words and "F002-C Autumn 2011/12 100 20 0 20.0%" in words

    # the findings: F002 upheld; F003 not, and its £700 is clawed back
    page.get_by_role("link", name="Spot checks").click()
    page.get_by_role("link", name="2 Sep 2013 (TFU/13/044)").click()
    f002 = page.locator("#family-F002")
    f002.get_by_label("Upheld", exact=True).check()
    f002.get_by_label("What the check found").fill("Police log and school returns agree")
    f002.get_by_role("button", name="Record the finding").click()
    expect(page.get_by_text("F002: upheld.")).to_be_visible()
    f003 = page.locator("#family-F003")
    f003.get_by_label("Not upheld").check()
    f003.get_by_label("What the check found").fill("The child left the school roll in spring")
    fill_date(f003, "Clawed back on (results not upheld)", 30, 11, 2013)
    f003.get_by_role("button", name="Record the finding").click()
    expect(page.locator("#family-F003 .tff-finding")).to_contain_text("Not upheld")
    expect(page.locator(".govuk-summary-list")).to_contain_text("£700")
    sign_out(page)

    manager = live.make.user("manager")
    sign_in(page, manager.email)
    page.get_by_role("link", name="Funding").first.click()
    row = page.locator(".tff-funding-windows tbody tr", has_text="2013-07")
    expect(row.locator("td").last).to_have_text("£700")  # clawed back
