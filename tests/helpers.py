"""Helpers that act as a user would: real forms, real CSRF tokens."""

import re
from types import SimpleNamespace

from tff.auth.operations import create_user
from tff.extensions import db

PASSWORD = "correct-horse-battery"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    match = _CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {page.status_code})"
    return match.group(1)


def submit(client, url: str, data: dict, form_url: str | None = None, **kwargs):
    """Post a form the way a browser does: fetch the page for its token first."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def sign_in(client, email: str, password: str = PASSWORD, **kwargs):
    return submit(client, "/login", {"email": email, "password": password}, **kwargs)


class Maker:
    """Makes records in their own app context and hands back plain values."""

    def __init__(self, app):
        self.app = app
        self.count = 0

    def user(
        self, role: str = "coordinator", email: str | None = None, password: str = PASSWORD, name: str | None = None
    ):
        self.count += 1
        email = email or f"{role.replace('_', '-')}{self.count}@example.org"
        with self.app.app_context():
            user = create_user(email, name or f"{role.title()} {self.count}", role, password)
            return SimpleNamespace(id=user.id, email=user.email, role=role, password=password)

    def family(self, reference: str | None = None, lead_worker_id: int | None = None, **values):
        from tff.cases.models import Family

        self.count += 1
        with self.app.app_context():
            family = Family(
                reference=reference or f"F{self.count:05d}",
                programme=values.pop("programme", "phase1"),
                lead_worker_id=lead_worker_id,
                **values,
            )
            db.session.add(family)
            db.session.commit()
            return SimpleNamespace(id=family.id, reference=family.reference)
