"""
Pages of a queue without counting it: "26-50 of many" instead of "page 2 of 5,200".

Django's Paginator counts the whole filtered set to number its pages, which for a manager's
All open is a COUNT over ~130,000 tickets on every render. A page here reads one row more than
it shows to know whether a next page exists, and the OFFSET is bounded (MAX_PAGE) so no page
walks deep into the index; past that, the agent narrows the filters.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

MAX_PAGE = 40


@dataclass(frozen=True)
class QueuePage:
    number: int
    object_list: list[Any]
    per_page: int
    more: bool  # rows exist after this page

    @property
    def has_next(self) -> bool:
        return self.more and self.number < MAX_PAGE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1

    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def total(self) -> int | None:
        """The exact number of rows when this page is the last one, else None ("many")."""
        return None if self.more else self.end_index()

    @property
    def at_limit(self) -> bool:
        """Whether more rows exist than the pager walks to: the agent should filter."""
        return self.more and self.number >= MAX_PAGE


def page_number(raw: str | None) -> int:
    """Read the page parameter the way Paginator.get_page does: anything odd means page 1."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def queue_page(queryset: QuerySet[Any], raw_number: str | None, per_page: int) -> QueuePage:
    number = page_number(raw_number)
    offset = (number - 1) * per_page
    rows = list(queryset[offset:offset + per_page + 1])
    return QueuePage(number, rows[:per_page], per_page, more=len(rows) > per_page)
