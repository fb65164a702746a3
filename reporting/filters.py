"""The one FilterSet of every dashboard page, CSV export and report API call."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters

from reporting.models import DailyRollup, TicketMetrics
from tickets.choices import Channel, Priority, Tier
from tickets.models import Team

DEFAULT_DAYS = 30
MAX_DAYS = 366
DATE_FILTERS = ("date_from", "date_to")


class ReportFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        if start and end and (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(f"Choose at most {MAX_DAYS} days.")
        return data


class ReportFilter(filters.FilterSet):
    """
    Date range (of ticket creation, inclusive, UTC days; the last 30 days when not given),
    team, priority, channel and customer tier.
    """

    date_from = filters.DateFilter(method="filter_from", label="From")
    date_to = filters.DateFilter(method="filter_to", label="To")
    team = filters.ModelChoiceFilter(
        queryset=Team.objects.order_by("name"), field_name="team_id", to_field_name="pk",
        method="filter_team", empty_label="Any team",
    )
    priority = filters.ChoiceFilter(choices=Priority.choices, empty_label="Any priority")
    channel = filters.ChoiceFilter(choices=Channel.choices, empty_label="Any channel")
    tier = filters.ChoiceFilter(choices=Tier.choices, empty_label="Any tier")

    # Set by reports.report_filter: the caller may aggregate every ticket.
    sees_all = False

    class Meta:
        model = TicketMetrics
        fields: list[str] = []
        form = ReportFilterForm

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        today = timezone.now().date()
        if not data.get("date_to"):
            data["date_to"] = today.isoformat()
        if not data.get("date_from"):
            data["date_from"] = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        super().__init__(data, *args, **kwargs)

    def filter_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__gte=start_of(value))

    def filter_to(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__lt=start_of(value + timedelta(days=1)))

    def filter_team(self, queryset: QuerySet, name: str, value: Team) -> QuerySet:
        return queryset.filter(team_id=value.pk)

    def current_qs(self) -> QuerySet[TicketMetrics]:
        """Return the rows under every filter but the dates: what is open or due right now."""
        return self._undated(self.queryset.all())

    def rollup_qs(self) -> QuerySet[DailyRollup]:
        """Return the daily rollup cells under every filter but the dates (same field names)."""
        return self._undated(DailyRollup.objects.all())

    def _undated(self, queryset: QuerySet) -> QuerySet:
        for name, value in self.form.cleaned_data.items():
            if name not in DATE_FILTERS and value not in (None, ""):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def period(self) -> tuple[date, date]:
        return self.form.cleaned_data["date_from"], self.form.cleaned_data["date_to"]

    def query_string(self) -> str:
        """Return the filters as a query string, for export links."""
        from urllib.parse import urlencode

        cleaned = self.form.cleaned_data
        pairs = {name: getattr(value, "pk", value) for name, value in cleaned.items()
                 if value not in (None, "")}
        return urlencode({k: v.isoformat() if isinstance(v, date) else v
                          for k, v in pairs.items()})


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
