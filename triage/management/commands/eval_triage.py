from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from triage.evaluation import evaluate_labelled_set, format_report
from triage.learning import labelled_examples


class Command(BaseCommand):
    help = "Run the labelled set through intake (rolled back) and print triage's precision."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--misses", action="store_true", help="List every wrong or review.")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = labelled_examples()
        report = evaluate_labelled_set(rows)
        self.stdout.write(format_report(report))
        if options["misses"]:
            for row, outcome in zip(rows, report.outcomes, strict=True):
                if outcome.predicted != outcome.expected:
                    predicted = outcome.predicted or "review"
                    self.stdout.write(f"{outcome.expected:>16} -> {predicted:<16}"
                                      f" {row['subject']} | {row['description'][:90]}")
