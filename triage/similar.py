"""Similar open tickets, by PostgreSQL full-text rank over subject and description."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import transaction
from django.db.models import Case, F, FloatField, Q, Subquery, Value, When
from django.utils import timezone

from tickets.choices import UNSOLVED
from tickets.models import Ticket
from triage.models import SimilarTicket

TOP_MATCHES: Final = 5
# ts_rank of a match on one common word ("please") is ~0.1; a shared topic scores well above.
MIN_RANK: Final = 0.2
MAX_TERMS: Final = 24
# Rank only the most recent tickets that share a word: ranking every match cost ~200 ms of
# CPU per intake at a million tickets, and the newest matches are the likeliest incidents.
CANDIDATES: Final = 300
# Same organisation or product area make a match likelier to be the same problem.
BOOST: Final = 1.5
_TERM = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def query_text(subject: str, body: str) -> str:
    """Return a websearch query that matches any of the text's first distinct words."""
    words = _TERM.findall(f"{subject} {body[:2000]}")
    terms = list(dict.fromkeys(word.lower() for word in words))
    return " OR ".join(terms[:MAX_TERMS])


@transaction.atomic
def find_similar_tickets(*, ticket: Ticket, days: int) -> list[SimilarTicket]:
    """Store the top open tickets of the last `days` days that read like this one."""
    terms = query_text(ticket.subject, ticket.description)
    if not terms:
        return []
    query = SearchQuery(terms, search_type="websearch", config="english")
    boost = Case(
        When(Q(organization_id=ticket.organization_id) & Q(organization_id__isnull=False)
             | (Q(product_area=ticket.product_area) & ~Q(product_area="")), then=Value(BOOST)),
        default=Value(1.0), output_field=FloatField(),
    )
    candidates = (
        Ticket.objects.filter(status__in=UNSOLVED,
                              created_at__gte=timezone.now() - timedelta(days=days),
                              search_vector=query)
        .exclude(pk=ticket.pk)
        .order_by("-created_at")
        .values("pk")[:CANDIDATES]
    )
    matches = (
        Ticket.objects.filter(pk__in=Subquery(candidates))
        .annotate(score=SearchRank(F("search_vector"), query) * boost)
        .filter(score__gte=MIN_RANK)
        .order_by("-score", "-pk")
        .values_list("pk", "score")[:TOP_MATCHES]
    )
    SimilarTicket.objects.filter(ticket=ticket).delete()
    return SimilarTicket.objects.bulk_create(
        [SimilarTicket(ticket=ticket, similar_id=pk, score=round(score, 4))
         for pk, score in matches]
    )
