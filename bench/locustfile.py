"""The users of the load test: coordinators, finance officers and managers going about their
pages, each signed in with an account of their own, pausing between pages as people do.

Run by `bench/load.py`, which writes the plan (accounts, families, windows) this reads from
the file named by TFF_LOAD_PLAN.
"""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["TFF_LOAD_PLAN"]).read())  # noqa: SIM115 - read once at start
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_accounts = {role: itertools.cycle(emails) for role, emails in PLAN["accounts"].items()}


class _Signed(HttpUser):
    abstract = True
    #: seconds a person spends on a page before the next
    wait_time = between(1, 3)
    role = ""

    def on_start(self):
        page = self.client.get("/login", name="sign in (page)")
        token = TOKEN.search(page.text).group(1)
        email = next(_accounts[self.role])
        answer = self.client.post(
            "/login",
            {"email": email, "password": PLAN["password"], "csrf_token": token},
            name="sign in",
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"{email} could not sign in: {answer.status_code}")

    def page(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{url}: {answer.status_code}")


class Coordinator(_Signed):
    weight = 3
    role = "coordinator"

    @task(2)
    def home(self):
        self.page("/", "home")

    @task(3)
    def family_list(self):
        self.page(f"/families/?page={random.randint(1, 50)}", "family list")

    @task(3)
    def search(self):
        self.page(f"/families/?q={random.choice(PLAN['searches'])}", "family search")

    @task(4)
    def family(self):
        reference = random.choice(PLAN["families"])
        self.page(f"/families/{reference}", "family page")
        section = random.choice(["caf", "plan", "timeline", "evidence", "notes", "referrals"])
        self.page(f"/families/{reference}/{section}", f"family {section}")

    @task(1)
    def results(self):
        self.page(f"/families/{random.choice(PLAN['families'])}/results", "family results")

    @task(1)
    def unmatched(self):
        self.page("/evidence/unmatched", "unmatched queue")


class Finance(_Signed):
    weight = 1
    role = "finance"

    @task(1)
    def home(self):
        self.page("/", "home")

    @task(2)
    def claims(self):
        self.page("/claims/", "claim windows")

    @task(2)
    def window(self):
        if PLAN["windows"]:
            self.page(f"/claims/{random.choice(PLAN['windows'])}", "claim window")

    @task(1)
    def funding(self):
        self.page("/funding/", "funding")


class Manager(_Signed):
    weight = 1
    role = "manager"

    @task(1)
    def home(self):
        self.page("/", "home")

    @task(2)
    def funding(self):
        self.page("/funding/", "funding")

    @task(1)
    def outcomes(self):
        self.page("/outcomes/", "outcomes")

    @task(1)
    def caseloads(self):
        self.page("/families/caseloads", "caseloads")
