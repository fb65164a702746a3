from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    """Abstract base: creation and last-change times, in UTC."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
