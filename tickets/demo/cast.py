"""Who is on the demo desk and who writes to it: plain data, importable without Django set up."""

from dataclasses import dataclass

from tickets.choices import Role, Tier

DEMO_PASSWORD = "demo-password-1"
STAFF_DOMAIN = "helpdesk.example"


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    role: Role
    teams: tuple[str, ...] = ()


@dataclass(frozen=True)
class Customer:
    key: str
    name: str
    tier: Tier
    domains: tuple[str, ...]
    plan: str
    annual_value: int | None
    region: str
    time_zone: str
    health_score: int | None
    at_risk: bool
    renews_in_days: int | None
    people: tuple[str, ...]


TEAMS: dict[str, str] = {
    # team name -> username of its lead
    "Billing": "grace",
    "Technical Support": "lead",
    "Accounts": "grace",
    "Enterprise": "lead",
}

PEOPLE: tuple[Person, ...] = (
    Person("agent", "Alex", "Morgan", Role.AGENT, ("Technical Support", "Billing")),
    Person("lead", "Priya", "Raman", Role.TEAM_LEAD, ("Technical Support", "Enterprise")),
    Person("manager", "Daniel", "Okafor", Role.MANAGER, ("Enterprise",)),
    Person("admin", "Sam", "Whitaker", Role.ADMIN),
    Person("grace", "Grace", "Kim", Role.TEAM_LEAD, ("Billing", "Accounts")),
    Person("mike", "Mike", "Chen", Role.AGENT, ("Billing",)),
    Person("sofia", "Sofia", "Alvarez", Role.AGENT, ("Billing", "Accounts")),
    Person("jonas", "Jonas", "Weber", Role.AGENT, ("Technical Support",)),
    Person("aiko", "Aiko", "Tanaka", Role.AGENT, ("Technical Support", "Enterprise")),
    Person("fatima", "Fatima", "Haddad", Role.AGENT, ("Accounts",)),
    Person("liam", "Liam", "O'Brien", Role.AGENT, ("Enterprise", "Technical Support")),
)

CUSTOMERS: tuple[Customer, ...] = (
    Customer("brightleaf", "Brightleaf Design Studio", Tier.SELF_SERVE, ("brightleaf.example",),
             "Starter (monthly)", 348, "EMEA", "Europe/Lisbon", 78, False, 19,
             ("Inês Carvalho", "Tom Becker")),
    Customer("juniper", "Juniper Street Bakery", Tier.SELF_SERVE, ("juniperbakery.example",),
             "Starter (monthly)", 228, "North America", "America/Chicago", 52, True, 8,
             ("Rosa Delgado",)),
    Customer("northwind", "Northwind Logistics", Tier.SMB, ("northwind.example",),
             "Team (annual)", 14_400, "North America", "America/Denver", 81, False, 143,
             ("Ben Schultz", "Carla Mendes", "Omar Farouk", "Hannah Lee")),
    Customer("pinecrest", "Pinecrest Dental Group", Tier.SMB, ("pinecrestdental.example",),
             "Team (annual)", 9_600, "North America", "America/New_York", 44, True, 37,
             ("Laura Pierce", "Kevin Walsh", "Maya Singh")),
    Customer("acme", "Acme Corporation", Tier.ENTERPRISE, ("acme.example", "acme-corp.example"),
             "Enterprise (3-year)", 186_000, "North America", "America/Los_Angeles", 88, False,
             290, ("Ana Silva", "Derek Hughes", "Mei Lin", "Jorge Ramírez", "Nadia Petrova")),
    Customer("globex", "Globex Financial Services", Tier.ENTERPRISE, ("globex.example",),
             "Enterprise Plus", 412_500, "EMEA", "Europe/London", 63, True, 64,
             ("Oliver Grant", "Sophie Turner", "Rajesh Kumar", "Elena Rossi", "James Whitfield")),
    Customer("internal", "Helpdesk Internal IT", Tier.INTERNAL, ("staff.helpdesk.example",),
             "Internal", None, "Global", "UTC", None, False, None,
             ("Chris Doyle", "Amara Nwosu")),
)

# Self-serve customers who wrote from personal mailboxes: no organisation matches them.
INDIVIDUALS: tuple[str, ...] = (
    "Ruth Ng", "Marco Bianchi", "Aisha Bello", "Lukas Novak", "Emily Carter", "Hiro Sato",
)
INDIVIDUAL_DOMAIN = "mailbox.example"
