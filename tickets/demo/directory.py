"""The demo desk's people and customers, created idempotently by stable names."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser, Group
from django.utils import timezone

from tickets.choices import Role
from tickets.demo.cast import CUSTOMERS, DEMO_PASSWORD, PEOPLE, STAFF_DOMAIN, TEAMS, Person
from tickets.models import Organization, Team


def email_for(name: str, domain: str) -> str:
    """Return a stable address such as laura.pierce@pinecrestdental.example."""
    local = ".".join(name.split()).lower()
    plain = local.translate(str.maketrans("íêéèáóúñç'", "ieeeaounc "))
    return f"{plain.replace(' ', '')}@{domain}"


def ensure_people() -> dict[str, AbstractUser]:
    """Create the desk's users, their roles and teams; existing users are left as they are."""
    # One hash for everyone: they share the demo password, and each hash costs ~0.5 s.
    password = make_password(DEMO_PASSWORD)
    users = {person.username: _ensure_user(person, password) for person in PEOPLE}
    for team_name, lead_username in TEAMS.items():
        team, created = Team.objects.get_or_create(
            name=team_name, defaults={"lead": users[lead_username]}
        )
        if created:
            team.members.add(*[users[p.username] for p in PEOPLE if team_name in p.teams])
    return users


def _ensure_user(person: Person, password: str) -> AbstractUser:
    is_admin = person.role == Role.ADMIN
    user, created = get_user_model().objects.get_or_create(
        username=person.username,
        defaults={
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": f"{person.username}@{STAFF_DOMAIN}",
            "is_staff": is_admin,
            "is_superuser": is_admin,
            # Only on creation: a second run must not reset a password someone changed.
            "password": password,
        },
    )
    if created:
        user.groups.add(Group.objects.get(name=person.role.value))
    return user


def ensure_customers() -> list[Organization]:
    """Create one organisation per customer, keyed on its external id `demo-org-<key>`."""
    today = timezone.localdate()
    organizations = []
    for customer in CUSTOMERS:
        renewal = None
        if customer.renews_in_days is not None:
            renewal = today + timedelta(days=customer.renews_in_days)
        organization, _ = Organization.objects.get_or_create(
            external_id=f"demo-org-{customer.key}",
            defaults={
                "name": customer.name,
                "tier": customer.tier,
                "email_domains": list(customer.domains),
                "plan": customer.plan,
                "annual_value": None if customer.annual_value is None
                else Decimal(customer.annual_value),
                "region": customer.region,
                "time_zone": customer.time_zone,
                "health_score": customer.health_score,
                "at_risk": customer.at_risk,
                "renewal_date": renewal,
            },
        )
        organizations.append(organization)
    return organizations
