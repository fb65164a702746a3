"""
Realistic, deterministic fake help desk data: distributions, texts and row tuples.

Rows are plain tuples in the column order of the COPY statements in bench.loader; None is
written as NULL, lists as Postgres array literals, dicts as JSON.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DAY = 86_400.0

# (value, weight) tables; weights are relative.
PRIORITIES = [("P1", 5), ("P2", 20), ("P3", 50), ("P4", 25)]
SEVERITY_BY_PRIORITY = {"P1": "critical", "P2": "high", "P3": "medium", "P4": "low"}
CHANNELS = [
    ("email", 45), ("web_form", 25), ("api", 10), ("chat", 10),
    ("portal", 5), ("phone", 4), ("internal", 1),
]
CATEGORIES = [
    ("billing", 18), ("bug_report", 20), ("feature_request", 8), ("account_access", 16),
    ("onboarding", 8), ("service_outage", 4), ("refund_request", 6), ("general", 15), (None, 5),
]
# Status depends on age: old tickets are mostly closed, fresh ones still open.
STATUS_OLD = [("closed", 85), ("solved", 5), ("open", 4), ("pending", 3), ("on_hold", 2),
              ("awaiting_info", 1)]
STATUS_RECENT = [("closed", 40), ("solved", 25), ("open", 15), ("pending", 10),
                 ("on_hold", 5), ("awaiting_info", 5)]
STATUS_FRESH = [("new", 25), ("open", 35), ("pending", 10), ("awaiting_info", 10),
                ("solved", 15), ("on_hold", 5)]
SLA_HOURS = {"P1": 4, "P2": 8, "P3": 24, "P4": 72}
TEAMS = ["Billing", "Technical support", "Accounts", "Customer success", "Incident response",
         "General"]
TEAM_BY_CATEGORY = {
    "billing": "Billing", "refund_request": "Billing", "bug_report": "Technical support",
    "service_outage": "Incident response", "account_access": "Accounts",
    "onboarding": "Customer success", "feature_request": "Customer success", "general": "General",
}
IMPACT_BY_CATEGORY = {
    "billing": "billing", "refund_request": "billing", "service_outage": "outage",
    "account_access": "blocked_workflow", "bug_report": "blocked_workflow",
}
TAGS = {
    "billing": ["invoice", "annual-plan", "vat", "card"],
    "refund_request": ["refund", "annual-plan", "downgrade"],
    "bug_report": ["export", "mobile", "api", "regression", "sync"],
    "service_outage": ["outage", "latency", "eu-west", "status-page"],
    "account_access": ["sso", "2fa", "password", "locked"],
    "onboarding": ["import", "setup", "training"],
    "feature_request": ["roadmap", "integration", "reporting"],
    "general": ["question", "docs"],
    None: ["untriaged"],
}
PRODUCT_AREAS = ["billing portal", "mobile app", "web app", "public api", "reports",
                 "integrations", "admin console", ""]
SUBJECTS = {
    "billing": ["Charged twice for {plan} plan", "Invoice {inv} shows the wrong VAT",
                "Card declined when upgrading to {plan}", "Need a copy of invoice {inv}"],
    "refund_request": ["Refund for duplicate charge on {plan}", "Please refund order {order}",
                       "Cancelled but still billed, refund needed"],
    "bug_report": ["Export to CSV fails with error {code}", "{area} crashes when saving",
                   "Sync stopped working after update", "Error {code} on the dashboard"],
    "service_outage": ["Site down for our whole team", "API returning 503 since this morning",
                       "Very slow responses in {area}"],
    "account_access": ["Cannot log in after password reset", "Locked out, 2FA device lost",
                       "SSO login loops back to the sign-in page"],
    "onboarding": ["Help importing our contacts", "How do we set up {area}?",
                   "Training session for new admins"],
    "feature_request": ["Feature request: dark mode in {area}",
                        "Please add an integration with our CRM", "Scheduled reports by email"],
    "general": ["Question about our account", "Where can I find the documentation?",
                "Change the billing contact"],
    None: ["Hello", "Problem", "Need help with {area}"],
}
SENTENCES = {
    "billing": "My card was charged twice on {date} for the {plan} plan. "
               "The invoice {inv} lists a duplicate payment and the wrong tax amount.",
    "refund_request": "We cancelled the subscription but were billed again. "
                      "Please refund order {order} to the original card.",
    "bug_report": "When I try to export the report I get error {code} and nothing downloads. "
                  "It started after the last update, on Chrome and Firefox.",
    "service_outage": "Nobody in our company can reach the application, requests time out. "
                      "Our users are blocked and this is urgent.",
    "account_access": "I reset my password but the login page says my credentials are "
                      "invalid. The two-factor code is never accepted either.",
    "onboarding": "We are new customers and would like help importing our data and "
                  "configuring {area} for our team.",
    "feature_request": "It would be great if {area} supported exporting dashboards on a "
                       "schedule. Many of our managers ask for it.",
    "general": "I have a question about how our account is set up and who the admins are.",
    None: "Something is not working as expected in {area}.",
}
DETAILS = [
    "Our account id is {inv} and we are on the {plan} plan.",
    "This happens every time, for several people on our team, since {date}.",
    "I already tried clearing the cache and logging out and in again.",
    "The same thing happened last month and support fixed it within a day.",
    "We use {area} daily, so please treat this as a priority.",
    "Steps: open {area}, choose the account, click save; the page shows error {code}.",
    "Attached is a screenshot of what we see.",
]
CLOSINGS = ["Thanks in advance.", "Kind regards,\n{name}", "Please advise as soon as possible.",
            "This is blocking our month-end close.", "Best,\n{name}", ""]
FIRST_NAMES = ["Ana", "Mike", "Priya", "Jonas", "Fatima", "Li", "Carlos", "Emma", "Kwame",
               "Sofia", "Yuki", "Omar", "Chloe", "Ivan", "Grace", "Mateo"]
LAST_NAMES = ["Silva", "Chen", "Patel", "Muller", "Haddad", "Wang", "Garcia", "Smith",
              "Mensah", "Rossi", "Tanaka", "Farah", "Martin", "Petrov", "Okafor", "Lopez"]
PLANS = ["annual", "monthly", "team", "enterprise", "starter"]
TIERS = [("self_serve", 60), ("smb", 28), ("enterprise", 10), ("internal", 2)]
REGIONS = ["EMEA", "NA", "APAC", "LATAM"]


class Weighted:
    """A weighted choice table with precomputed cumulative weights (random.choices is slow
    when it has to rebuild them on every call)."""

    def __init__(self, table: list[tuple[Any, float]]) -> None:
        self.values = [value for value, _ in table]
        total = 0.0
        self.cum: list[float] = []
        for _, weight in table:
            total += weight
            self.cum.append(total)

    def pick(self, rng: random.Random) -> Any:
        return rng.choices(self.values, cum_weights=self.cum)[0]


W_PRIORITY, W_CHANNEL, W_CATEGORY = Weighted(PRIORITIES), Weighted(CHANNELS), Weighted(CATEGORIES)
W_OLD, W_RECENT, W_FRESH = Weighted(STATUS_OLD), Weighted(STATUS_RECENT), Weighted(STATUS_FRESH)
W_TIER = Weighted(TIERS)


@dataclass
class Universe:
    """What ticket rows point at: contacts (with their organisation), teams and agents."""

    contact_ids: list[int]
    contact_org: dict[int, int | None]
    team_ids: dict[str, int]
    agents_by_team: dict[int, list[int]]
    window_start: float
    window_end: float
    all_agents: list[int] = field(default_factory=list)


class Null(float):
    """Written by csv.QUOTE_NONNUMERIC unquoted as \\N, which COPY reads as NULL; every real
    string is quoted, so an empty string stays an empty string."""

    def __str__(self) -> str:
        return "\\N"

    __repr__ = __str__


NULL: Any = Null()


def nullable(value: Any) -> Any:
    return NULL if value is None else value


_DAYS: dict[int, str] = {}


def ts(epoch: float) -> str:
    """Format a UTC timestamp for COPY, caching the date part: isoformat() was the
    generator's hottest call."""
    seconds = int(epoch)
    day, rest = divmod(seconds, 86_400)
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")
    hours, rest = divmod(rest, 3600)
    return f"{date} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{int(epoch % 1 * 1e6):06d}+00"


def pg_array(values: list[str]) -> str:
    # Values are slugs without commas, quotes or braces, so no element quoting is needed.
    return "{" + ",".join(values) + "}"


def business_time(rng: random.Random, start: float, end: float) -> float:
    """Return a time in [start, end) weighted towards weekday office hours (UTC)."""
    while True:
        when = rng.uniform(start, end)
        moment = datetime.fromtimestamp(when, UTC)
        weekday, hour = moment.weekday(), moment.hour
        if weekday >= 5:
            weight = 0.15
        elif 8 <= hour < 18:
            weight = 1.0
        else:
            weight = 0.25
        if rng.random() < weight:
            return when


def organization_row(org_id: int, now: str, rng: random.Random) -> tuple[Any, ...]:
    tier = W_TIER.pick(rng)
    name = f"{rng.choice(LAST_NAMES)} {rng.choice(['Corp', 'Ltd', 'GmbH', 'Labs', 'Inc'])} {org_id}"
    value = f"{rng.randint(1, 500) * 1000}.00" if tier in ("smb", "enterprise") else NULL
    return (org_id, now, now, name, f"acct-{org_id}", pg_array([f"org{org_id}.example"]), tier,
            rng.choice(PLANS), value, rng.choice(REGIONS), "", rng.randint(20, 100),
            rng.random() < 0.05, NULL)


ORGANIZATION_COLUMNS = (
    "id", "created_at", "updated_at", "name", "external_id", "email_domains", "tier", "plan",
    "annual_value", "region", "time_zone", "health_score", "at_risk", "renewal_date",
)


def contact_row(contact_id: int, org_count: int, now: str, rng: random.Random) -> tuple[Any, ...]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    org_id = rng.randint(1, org_count) if org_count and rng.random() < 0.8 else None
    domain = f"org{org_id}.example" if org_id else rng.choice(["gmail.example", "mail.example"])
    email = f"{first.lower()}.{last.lower()}.{contact_id}@{domain}"
    phone = f"+1 555 {contact_id % 10000:04d}" if rng.random() < 0.3 else ""
    return (contact_id, now, now, email, f"{first} {last}", phone, nullable(org_id), "en", "")


CONTACT_COLUMNS = ("id", "created_at", "updated_at", "email", "name", "phone",
                   "organization_id", "language", "time_zone")


class _Fill(dict[str, str]):
    """Placeholder values made only when a template asks for them (format_map calls
    __missing__), which halves generation time compared with filling every key."""

    def __init__(self, rng: random.Random, area: str) -> None:
        super().__init__()
        self.rng, self.area = rng, area

    def __missing__(self, key: str) -> str:
        rand = self.rng.random()
        values = {
            "plan": lambda: PLANS[int(rand * len(PLANS))],
            "inv": lambda: f"INV-{10000 + int(rand * 90000)}",
            "order": lambda: f"A-{1000 + int(rand * 99000)}",
            "code": lambda: f"E{1000 + int(rand * 1000)}",
            "area": lambda: self.area or "the app",
            "date": lambda: f"March {1 + int(rand * 28)}",
            "name": lambda: FIRST_NAMES[int(rand * len(FIRST_NAMES))],
        }
        return values[key]()


def fill(template: str, rng: random.Random, area: str) -> str:
    return template.format_map(_Fill(rng, area)) if "{" in template else template


def _status(rng: random.Random, age_days: float) -> str:
    if age_days > 21:
        return str(W_OLD.pick(rng))
    if age_days > 3:
        return str(W_RECENT.pick(rng))
    return str(W_FRESH.pick(rng))
