"""Labelling an escalation's quality afterwards (necessary, premature, late)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from escalation.escalations.choices import EscalationQuality
from escalation.escalations.models import Escalation, EscalationLabel


def label_escalation(
    *, escalation: Escalation, quality: EscalationQuality | str, actor: AbstractBaseUser
) -> EscalationLabel:
    """Set (or change) the escalation's label; its history keeps every earlier one."""
    quality = EscalationQuality(quality)
    with transaction.atomic():
        label, created = EscalationLabel.objects.select_for_update().get_or_create(
            escalation=escalation,
            defaults={"quality": quality, "labelled_by": actor, "labelled_at": timezone.now()},
        )
        if not created and (label.quality, label.labelled_by_id) != (quality, actor.pk):
            label.quality, label.labelled_by, label.labelled_at = quality, actor, timezone.now()
            label._change_reason = "relabelled"  # type: ignore[attr-defined]
            label.save()
    return label
