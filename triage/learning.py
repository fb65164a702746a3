"""Train the classifier from agents' confirmed categories, cold-starting from the labelled set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from django.db import transaction

from triage.classifier import train
from triage.models import ClassifierModel
from triage.rulebook import bump_version
from triage.selectors import confirmed_examples

LABELLED_SET: Final = Path(__file__).resolve().parent / "data" / "labelled.jsonl"
MIN_EXAMPLES: Final = 40


def labelled_examples(path: Path = LABELLED_SET) -> list[dict[str, str]]:
    """Return the labelled tickets shipped with the project."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def retrain_classifier(*, include_labelled: bool = True) -> ClassifierModel | None:
    """Train on confirmed tickets (and the labelled set), store it, make it the active one."""
    examples = confirmed_examples()
    if include_labelled:
        examples += [(f"{row['subject']}\n{row['description']}", row["category"])
                     for row in labelled_examples()]
    if len(examples) < MIN_EXAMPLES or len({label for _, label in examples}) < 2:
        return None
    weights, accuracy = train([t for t, _ in examples], [label for _, label in examples])
    with transaction.atomic():
        ClassifierModel.objects.filter(active=True).update(active=False)
        model = ClassifierModel.objects.create(size=len(examples), cv_accuracy=accuracy,
                                               weights=weights)
        # Old rows are kept for audit, without their weights, which are large.
        ClassifierModel.objects.filter(active=False).exclude(weights={}).update(weights={})
        transaction.on_commit(bump_version)
    return model
