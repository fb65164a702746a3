"""One FilterSet for the API list and the agent queues."""

from django.contrib.postgres.search import SearchQuery
from django.db.models import QuerySet
from django_filters import rest_framework as filters

from tickets.choices import Channel, Priority, TicketStatus
from tickets.models import Ticket


class TicketFilter(filters.FilterSet):
    # distinct=False: these filter ticket columns, so no row can repeat, and DISTINCT over
    # every column (description included) would sort the whole result.
    status = filters.MultipleChoiceFilter(choices=TicketStatus.choices, distinct=False)
    priority = filters.MultipleChoiceFilter(choices=Priority.choices, distinct=False)
    channel = filters.MultipleChoiceFilter(choices=Channel.choices, distinct=False)
    category = filters.CharFilter(field_name="category_id")
    team = filters.NumberFilter(field_name="team_id")
    assignee = filters.NumberFilter(field_name="assignee_id")
    requester = filters.CharFilter(field_name="requester__email", lookup_expr="iexact")
    organization = filters.NumberFilter(field_name="organization_id")
    tag = filters.CharFilter(method="filter_tag")
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    q = filters.CharFilter(method="filter_search", max_length=500)

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_tag(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        return queryset.filter(tags__contains=[value.strip().lower()])

    def filter_search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        if not value.strip():
            return queryset
        # websearch syntax never raises on user input ("quoted phrases", -exclusions, or)
        query = SearchQuery(value, search_type="websearch", config="english")
        return queryset.filter(search_vector=query)
