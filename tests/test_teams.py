"""An administrator sets up teams and caseload limits; assignment warns against them."""

from sqlalchemy import select

from tests.helpers import sign_in, submit
from tff.auth.models import User
from tff.cases.models import Team
from tff.extensions import db


def test_admin_adds_and_changes_a_team(client, make, app):
    sign_in(client, make.user("admin").email)
    response = submit(
        client, "/admin/teams/new", {"name": "Family Recovery Programme", "max_open_cases": "45", "max_per_worker": "6"}
    )
    assert response.headers["Location"] == "/admin/teams/"
    page = client.get("/admin/teams/").get_data(as_text=True)
    assert "Family Recovery Programme" in page and ">45<" in page
    page = submit(client, "/admin/teams/new", {"name": "Family Recovery Programme", "max_open_cases": "0"}).get_data(
        as_text=True
    )
    assert "There is already a team called Family Recovery Programme" in page
    assert "A limit must be 1 or more" in page
    with app.app_context():
        team_id = db.session.scalar(select(Team.id))
    submit(client, f"/admin/teams/{team_id}", {"name": "FRP", "max_open_cases": "40", "max_per_worker": ""})
    with app.app_context():
        team = db.session.get(Team, team_id)
        assert (team.name, team.max_open_cases, team.max_per_worker) == ("FRP", 40, None)


def test_admin_puts_a_worker_in_a_team_with_their_own_limit(client, make, app):
    worker = make.user("lead_worker", name="Lee")
    with app.app_context():
        team = Team(name="YWCA family support", max_per_worker=10)
        db.session.add(team)
        db.session.commit()
        team_id = team.id
    sign_in(client, make.user("admin").email)
    page = client.get(f"/admin/users/{worker.id}").get_data(as_text=True)
    assert "YWCA family support" in page
    submit(
        client,
        f"/admin/users/{worker.id}",
        {"name": "Lee", "role": "lead_worker", "active": "y", "team": team_id, "max_caseload": "2"},
    )
    with app.app_context():
        user = db.session.get(User, worker.id)
        assert (user.team_id, user.max_caseload) == (team_id, 2)
    page = submit(
        client,
        f"/admin/users/{worker.id}",
        {"name": "Lee", "role": "lead_worker", "active": "y", "team": team_id, "max_caseload": "0"},
    ).get_data(as_text=True)
    assert "The most open cases must be 1 or more" in page

    # Her own limit (2) is used rather than the team's (10).
    make.family("F1", lead_worker_id=worker.id)
    make.family("F2", lead_worker_id=worker.id)
    make.family("F3")
    coordinator = make.user("coordinator")
    other = app.test_client()
    sign_in(other, coordinator.email)
    page = submit(other, "/families/F3/lead-worker", {"lead_worker": worker.id}).get_data(as_text=True)
    assert "Lee already holds 2 open cases; the most they should hold is 2" in page
    caseloads = other.get("/families/caseloads").get_data(as_text=True)
    assert "YWCA family support" in caseloads


def test_only_administrators_manage_teams(client, make):
    sign_in(client, make.user("coordinator").email)
    assert client.get("/admin/teams/").status_code == 403
    assert client.get("/admin/teams/new").status_code == 403
