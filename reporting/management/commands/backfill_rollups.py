import time

from django.core.management.base import BaseCommand, CommandParser

from reporting.rollups import backfill_rollups


class Command(BaseCommand):
    help = "Build the daily rollups of every whole past day from the metrics rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-days", type=int, default=31, help="Days per statement.")

    def handle(self, *args: object, chunk_days: int, **options: object) -> None:
        began = time.perf_counter()
        cells = backfill_rollups(chunk_days=chunk_days)
        self.stdout.write(self.style.SUCCESS(
            f"{cells} rollup cells in {time.perf_counter() - began:.1f} s"))
