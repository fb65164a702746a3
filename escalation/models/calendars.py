from typing import Final

import holidays
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from escalation.seeds import CALENDARS
from routing.schedules import validate_schedule, validate_time_zone
from tickets.models import TimeStampedModel

BUSINESS_HOURS_SLUG: Final = "business-hours"
ALWAYS_OPEN_SLUG: Final = "24x7"
# The seeded business calendar: a UK desk, Monday to Friday 09:00-17:00 London time, closed on
# England's bank holidays. Admins change zone, hours and holidays to their own.
BUSINESS_HOURS_DEFAULTS: Final = CALENDARS[BUSINESS_HOURS_SLUG]
ALWAYS_OPEN_DEFAULTS: Final = CALENDARS[ALWAYS_OPEN_SLUG]


class BusinessCalendar(TimeStampedModel):
    """When the clock of an SLA runs: weekly opening hours in an IANA zone, minus holidays."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    always_open = models.BooleanField(
        default=False, help_text="24x7: every second counts; hours and holidays are ignored."
    )
    hours = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_schedule],
        help_text='Weekly opening hours in the calendar\'s zone, several intervals a day: '
        '{"mon": [["09:00", "12:30"], ["13:30", "17:00"]], ...}. "24:00" ends a day; an '
        'interval whose end is not after its start runs past midnight.',
    )
    holiday_country = models.CharField(
        max_length=3, blank=True,
        help_text="ISO 3166 country code whose public holidays close the calendar, e.g. GB, US.",
    )
    holiday_subdivision = models.CharField(
        max_length=10, blank=True, help_text="Region of the country, e.g. ENG, NY, NSW."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.always_open and not self.hours:
            raise ValidationError({"hours": "Give opening hours, or mark the calendar 24x7."})
        if self.holiday_subdivision and not self.holiday_country:
            raise ValidationError({"holiday_country": "A region needs its country."})
        if self.holiday_country:
            _validate_holiday_region(self.holiday_country, self.holiday_subdivision)


def _validate_holiday_region(country: str, subdivision: str) -> None:
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise ValidationError({"holiday_country": f"{country!r} has no holiday data."})
    if subdivision and subdivision not in supported[country]:
        raise ValidationError(
            {"holiday_subdivision": f"{subdivision!r} is not a region of {country}."}
        )


class CalendarClosure(models.Model):
    """A whole day the desk is closed besides public holidays (company days, office moves)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendar_closure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()
