import time

from django.core.management.base import BaseCommand, CommandParser

from reporting.backfill import BATCH, backfill_all


class Command(BaseCommand):
    help = "Build or refresh every ticket's metrics row in set-based SQL, one id range at a time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=BATCH, help="Tickets per statement.")

    def handle(self, *args: object, batch: int, **options: object) -> None:
        began = time.perf_counter()

        def log(first: int, last: int, written: int) -> None:
            self.stdout.write(f"  up to ticket {min(first + batch - 1, last)} of {last}: "
                              f"{written} rows")

        written = backfill_all(batch=batch, log=log)
        self.stdout.write(self.style.SUCCESS(
            f"{written} metrics rows in {time.perf_counter() - began:.1f} s"))
