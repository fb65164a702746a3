import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from tickets.demo.cast import DEMO_PASSWORD, PEOPLE
from tickets.demo.desk import build_desk, seed_tickets
from tickets.demo.directory import ensure_customers, ensure_people
from tickets.models import ApiKey
from tickets.services.keys import create_api_key

DEMO_KEY_NAME = "demo-web-form"


class Command(BaseCommand):
    help = (
        "Create the demo desk: organisations, teams, users of every role, an intake key and "
        "two months of tickets. Idempotent: a second run creates nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, default=300, help="how many demo tickets")
        parser.add_argument(
            "--key-file",
            help="also write the demo intake key to this file (mode 600) when it is created",
        )

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        with transaction.atomic():
            users = ensure_people()
            organizations = ensure_customers()
        raw_key = ensure_demo_key()
        created = seed_tickets(
            count=int(options["tickets"]), desk=build_desk(users=users, now=timezone.now())
        )
        if raw_key is not None:
            self.stdout.write(f"Demo intake API key ({DEMO_KEY_NAME}), shown once: {raw_key}")
            if options.get("key_file"):
                _write_secret(Path(str(options["key_file"])), raw_key)
        self.stdout.write(
            f"Demo desk ready: {len(PEOPLE)} users (password {DEMO_PASSWORD}), "
            f"{len(organizations)} organisations, {created} new tickets "
            f"in {time.monotonic() - started:.1f}s."
        )


def ensure_demo_key() -> str | None:
    """Create the demo web form's intake key unless it exists; return its secret if created."""
    if ApiKey.objects.filter(name=DEMO_KEY_NAME, revoked_at__isnull=True).exists():
        return None
    _key, raw = create_api_key(name=DEMO_KEY_NAME, scopes=["intake"])
    return raw


def _write_secret(path: Path, secret: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret + "\n")
