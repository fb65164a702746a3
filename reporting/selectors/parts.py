"""
What each daily rollup column counts, as an aggregate over metrics rows: the one definition
the rollup refresh (reporting.rollups) and the today-from-raw-rows half of a dashboard
(reporting.selectors.summary) share.
"""

from django.db.models import Count, F, Q, Sum
from django.db.models.lookups import GreaterThanOrEqual

from reporting.selectors.metrics import (
    DETRACTOR_UP_TO,
    MANY_OWNERS,
    PROMOTER_FROM,
    SATISFIED_FROM,
    Cardinality,
)

GRAIN = ("team_id", "priority", "channel", "tier", "category")
AUTOMATIC = Q(triage_source__in=["rules", "classifier"])
SOLVED = Q(solved_at__isnull=False)

PARTS = {
    "tickets": Count("pk"),
    "solved": Count("pk", filter=SOLVED),
    "answered": Count("pk", filter=Q(first_response_at__isnull=False)),
    "first_response_met": Count("pk", filter=Q(first_response_at__isnull=False,
                                               first_response_breached=False)),
    "resolution_met": Count("pk", filter=SOLVED & Q(resolution_breached=False)),
    "next_responses": Sum("next_responses"),
    "next_response_seconds": Sum("next_response_seconds_total"),
    "escalated": Count("pk", filter=Q(escalations__gt=0)),
    "de_escalated": Count("pk", filter=Q(de_escalations__gt=0)),
    "assignee_hops": Sum("assignee_hops"),
    "team_hops": Sum("team_hops"),
    "many_owners": Count("pk", filter=GreaterThanOrEqual(Cardinality("owner_ids"), MANY_OWNERS)),
    "handoffs_requested": Sum("handoffs_requested"),
    "handoffs_rejected": Sum("handoffs_rejected"),
    "handoff_pending_seconds": Sum("handoff_pending_seconds"),
    "ever_solved": Count("pk", filter=Q(last_solved_at__isnull=False)),
    "reopened_within_7d": Count("pk", filter=Q(last_solved_at__isnull=False,
                                               reopened_within_7d=True)),
    "follow_ups": Count("pk", filter=Q(is_follow_up=True)),
    "rated": Count("pk", filter=Q(csat_score__isnull=False)),
    "csat_total": Sum("csat_score"),
    "satisfied": Count("pk", filter=Q(csat_score__gte=SATISFIED_FROM)),
    "nps_rated": Count("pk", filter=Q(nps_score__isnull=False)),
    "promoters": Count("pk", filter=Q(nps_score__gte=PROMOTER_FROM)),
    "detractors": Count("pk", filter=Q(nps_score__lte=DETRACTOR_UP_TO)),
    "first_contact_resolved": Count("pk", filter=SOLVED & Q(agent_replies_at_solve=1,
                                                            reopened_within_7d=False)),
    "auto_classified": Count("pk", filter=AUTOMATIC),
    "auto_kept": Count("pk", filter=AUTOMATIC & Q(category=F("triage_category"))),
    "triage_review": Count("pk", filter=Q(triage_review=True)),
    "solved_with_replies": Count("pk", filter=Q(agent_replies_at_solve__isnull=False)),
    "replies_at_solve_total": Sum("agent_replies_at_solve"),
}


def alias(part: str) -> str:
    """The part's name in a query over metrics rows, where several parts share a field's name."""
    return f"part_{part}"
