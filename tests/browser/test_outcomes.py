"""Journeys through results and outcome plans in Chromium, with the pages' own script running
(and any console error failing the test)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import heading, sign_in
from tests.test_outcomes_cli import _example_one

pytestmark = pytest.mark.browser


def test_a_manager_adopts_the_shipped_plans_and_reads_one(page, live):
    manager = live.make.user("manager")
    sign_in(page, manager.email)
    page.get_by_role("link", name="Outcome plans").first.click()
    expect(heading(page, "Outcome plans")).to_be_visible()
    page.get_by_role("button", name="Store and adopt the plans shipped with the product").click()
    expect(page.get_by_text("Stored and adopted rotherham-2015 v1")).to_be_visible()
    expect(page.get_by_text("In force from 1 Apr 2015")).to_be_visible()
    page.get_by_role("link", name="rotherham-2015 v1").click()
    expect(page.get_by_role("heading", name="Headline problems")).to_be_visible()
    expect(page.get_by_role("cell", name="domestic_abuse", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Download as YAML")).to_be_visible()
    # Adopted already: no adoption form, but an edit into a new version.
    expect(page.get_by_role("button", name="Adopt this version")).to_have_count(0)
    page.get_by_role("button", name="Edit as a new version").click()
    expect(heading(page, "New version of rotherham-2015")).to_be_visible()
    expect(page.get_by_label("The plan, as YAML")).to_contain_text("version: 2")


def test_a_coordinator_reads_a_familys_results_as_of_a_date(page, live):
    _example_one(live.app, "F001")
    coordinator = live.make.user("coordinator")
    sign_in(page, coordinator.email)
    page.goto("/families/F001")
    page.get_by_role("link", name="Results").last.click()
    page.get_by_label("As of").fill("2013-07-31")
    page.get_by_role("button", name="Show results").click()
    card = page.locator("#result-crime_asb_education")
    expect(card).to_contain_text("Met")
    expect(card).to_contain_text("Claimable: £700")
    expect(card).to_contain_text("asb: relevant, met: 5 -> 1 (80%)")
    page.get_by_label("As of").fill("2013-02-30")
    page.get_by_role("button", name="Show results").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("real date")
