"""
Every metric of the dashboards, defined once: each function returns the SQL aggregate over
TicketMetrics rows, and its docstring is the definition the glossary page prints.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Func, IntegerField, Q, Sum
from django.db.models.lookups import GreaterThanOrEqual

from reporting.selectors.base import Percentile, average, metric, share
from tickets.choices import UNSOLVED

SATISFIED_FROM = 4  # CSAT 1-5: 4 and 5 are satisfied
PROMOTER_FROM, DETRACTOR_UP_TO = 9, 6  # NPS 0-10
MANY_OWNERS = 3
NEAR_BREACH = timedelta(hours=1)
# Not yet solved or closed. One object, so a query already restricted to open tickets can
# drop it from its figures' filters (reporting.selectors.slices.assuming).
OPEN = Q(status__in=UNSOLVED)


class Cardinality(Func):
    function = "cardinality"
    output_field = IntegerField()


# --- Volume ---------------------------------------------------------------------------------

@metric(label="Tickets", unit="count", dashboard="volume")
def tickets() -> Any:
    """Tickets created in the period (every channel, whatever their status now)."""
    return Count("pk")


@metric(label="Solved", unit="count", dashboard="volume")
def solved() -> Any:
    """Tickets created in the period that are solved or closed after a solve, now."""
    return Count("pk", filter=Q(solved_at__isnull=False))


@metric(label="Open", unit="count", dashboard="sla")
def open_tickets() -> Any:
    """Tickets not yet solved or closed (new, awaiting info, open, pending, on hold)."""
    return Count("pk", filter=OPEN)


# --- SLA ------------------------------------------------------------------------------------
# Percentiles sort whole seconds (integers, from the covering index) and scale the result:
# interpolation commutes with the scale, and sorting integers is far cheaper than numerics.

@metric(label="First response compliance", unit="share", dashboard="sla")
def first_response_compliance() -> Any:
    """Share of answered tickets whose first public agent reply did not breach its SLA target."""
    return share(Q(first_response_breached=False), among=Q(first_response_at__isnull=False))


@metric(label="Resolution compliance", unit="share", dashboard="sla")
def resolution_compliance() -> Any:
    """Share of solved tickets solved without breaching the resolution target (the ticket's
    SLA due time, or a resolution breach recorded by the SLA timers)."""
    return share(Q(resolution_breached=False), among=Q(solved_at__isnull=False))


@metric(label="Breached now", unit="count", dashboard="sla")
def breached_now(now: datetime) -> Any:
    """Open tickets whose SLA due time has already passed (measured at page load)."""
    return Count("pk", filter=OPEN & Q(sla_due_at__lt=now))


@metric(label="Due within the hour", unit="count", dashboard="sla")
def near_breach(now: datetime) -> Any:
    """Open tickets whose SLA due time falls within the next 60 minutes."""
    return Count("pk", filter=OPEN & Q(sla_due_at__gte=now, sla_due_at__lt=now + NEAR_BREACH))


@metric(label="Median first response", unit="minutes", dashboard="sla")
def median_first_response() -> Any:
    """Median calendar minutes from creation to the first public agent reply."""
    return Percentile("first_response_seconds", 0.5) / 60.0


@metric(label="p90 first response", unit="minutes", dashboard="sla")
def p90_first_response() -> Any:
    """90th percentile of calendar minutes from creation to the first public agent reply."""
    return Percentile("first_response_seconds", 0.9) / 60.0


@metric(label="Median first response (business)", unit="minutes", dashboard="sla")
def median_first_response_business() -> Any:
    """Median business minutes (on the ticket's SLA calendar) to the first public reply;
    empty where no calendar measured the ticket."""
    return Percentile("first_response_business_seconds", 0.5) / 60.0


@metric(label="p90 first response (business)", unit="minutes", dashboard="sla")
def p90_first_response_business() -> Any:
    """90th percentile of business minutes to the first public reply."""
    return Percentile("first_response_business_seconds", 0.9) / 60.0


@metric(label="Median resolution", unit="minutes", dashboard="sla")
def median_resolution() -> Any:
    """Median calendar minutes from creation to the (last) solve, over solved tickets."""
    return Percentile("resolution_seconds", 0.5) / 60.0


@metric(label="p90 resolution", unit="minutes", dashboard="sla")
def p90_resolution() -> Any:
    """90th percentile of calendar minutes from creation to the (last) solve."""
    return Percentile("resolution_seconds", 0.9) / 60.0


@metric(label="Median resolution (business)", unit="minutes", dashboard="sla")
def median_resolution_business() -> Any:
    """Median business minutes from creation to the solve, on the ticket's SLA calendar."""
    return Percentile("resolution_business_seconds", 0.5) / 60.0


@metric(label="p90 resolution (business)", unit="minutes", dashboard="sla")
def p90_resolution_business() -> Any:
    """90th percentile of business minutes from creation to the solve."""
    return Percentile("resolution_business_seconds", 0.9) / 60.0


@metric(label="Average next response", unit="minutes", dashboard="sla")
def average_next_response() -> Any:
    """Average minutes an agent took to answer a customer message after the first response
    (total wait over all next responses / number of next responses)."""
    return Sum("next_response_seconds_total") / 60.0 / Func(
        Sum("next_responses"), 0, function="NULLIF")


# --- Escalation -----------------------------------------------------------------------------

@metric(label="Escalation rate", unit="share", dashboard="escalation")
def escalation_rate() -> Any:
    """Share of tickets escalated at least once (by hand or by an escalation policy)."""
    return share(Q(escalations__gt=0))


@metric(label="Escalated", unit="count", dashboard="escalation")
def escalated() -> Any:
    """Tickets escalated at least once."""
    return Count("pk", filter=Q(escalations__gt=0))


@metric(label="De-escalated", unit="count", dashboard="escalation")
def de_escalated() -> Any:
    """Tickets de-escalated at least once."""
    return Count("pk", filter=Q(de_escalations__gt=0))


@metric(label="Median time to acknowledge", unit="minutes", dashboard="escalation")
def median_time_to_acknowledge() -> Any:
    """Median minutes from a ticket's first escalation to its acknowledgement."""
    return Percentile("acknowledge_seconds", 0.5) / 60.0


# --- Handoffs -------------------------------------------------------------------------------

@metric(label="Reassignments per ticket", unit="ratio", dashboard="handoffs")
def reassignments_per_ticket() -> Any:
    """Average number of times a ticket moved from one agent to another (unassigning is not a
    reassignment)."""
    return average("assignee_hops")


@metric(label="Team transfers per ticket", unit="ratio", dashboard="handoffs")
def team_transfers_per_ticket() -> Any:
    """Average number of times a ticket moved from one team to another."""
    return average("team_hops")


@metric(label="Three owners or more", unit="count", dashboard="handoffs")
def many_owners() -> Any:
    """Tickets that had three or more different agents as owner."""
    return Count("pk", filter=GreaterThanOrEqual(Cardinality("owner_ids"), MANY_OWNERS))


@metric(label="Handoffs requested", unit="count", dashboard="handoffs")
def handoff_requests() -> Any:
    """Transfers to another team that waited for that team's acceptance."""
    return Sum("handoffs_requested")


@metric(label="Handoffs rejected", unit="count", dashboard="handoffs")
def handoff_rejections() -> Any:
    """Requested transfers that the receiving team rejected."""
    return Sum("handoffs_rejected")


@metric(label="Average pending acceptance", unit="minutes", dashboard="handoffs")
def average_pending_acceptance() -> Any:
    """Average minutes a requested transfer waited for acceptance or rejection."""
    return Sum("handoff_pending_seconds") / 60.0 / Func(
        Sum("handoffs_requested"), 0, function="NULLIF")


# --- Follow-up ------------------------------------------------------------------------------

@metric(label="Reopened within 7 days", unit="share", dashboard="followup")
def reopen_rate() -> Any:
    """Share of tickets ever solved that were reopened within 7 days of a solve."""
    return share(Q(reopened_within_7d=True), among=Q(last_solved_at__isnull=False))


@metric(label="Repeat contacts", unit="share", dashboard="followup")
def repeat_contact_rate() -> Any:
    """Share of tickets opened by a customer coming back on a closed ticket's issue."""
    return share(Q(is_follow_up=True))


@metric(label="CSAT", unit="score", dashboard="followup")
def csat_average() -> Any:
    """Average satisfaction rating (1-5) over rated tickets."""
    return average("csat_score")


@metric(label="Satisfied", unit="share", dashboard="followup")
def csat_satisfied() -> Any:
    """Share of rated tickets rated 4 or 5 out of 5."""
    return share(Q(csat_score__gte=SATISFIED_FROM), among=Q(csat_score__isnull=False))


@metric(label="Ratings", unit="count", dashboard="followup")
def csat_responses() -> Any:
    """Tickets with a satisfaction rating."""
    return Count("pk", filter=Q(csat_score__isnull=False))


@metric(label="NPS", unit="score", dashboard="followup")
def nps() -> Any:
    """Net promoter score: percent of promoters (9-10) minus percent of detractors (0-6),
    over tickets with a 0-10 recommendation score."""
    rated = Q(nps_score__isnull=False)
    return 100.0 * (share(Q(nps_score__gte=PROMOTER_FROM), among=rated)
                    - share(Q(nps_score__lte=DETRACTOR_UP_TO), among=rated))


@metric(label="First-contact resolution", unit="share", dashboard="followup")
def first_contact_resolution() -> Any:
    """Share of solved tickets solved with exactly one public agent reply and not reopened
    within 7 days."""
    return share(Q(agent_replies_at_solve=1, reopened_within_7d=False),
                 among=Q(solved_at__isnull=False))


# --- Triage ---------------------------------------------------------------------------------

AUTOMATIC = Q(triage_source__in=["rules", "classifier"])


@metric(label="Classified automatically", unit="count", dashboard="triage")
def auto_classified() -> Any:
    """Tickets whose category triage chose by itself (rules or classifier)."""
    return Count("pk", filter=AUTOMATIC)


@metric(label="Category kept", unit="count", dashboard="triage")
def auto_category_kept() -> Any:
    """Automatically classified tickets whose final category is the one triage chose."""
    return Count("pk", filter=AUTOMATIC & Q(category=F("triage_category")))


@metric(label="Precision", unit="share", dashboard="triage")
def triage_precision() -> Any:
    """Of the tickets triage put in a category by itself, the share still in that category
    (agents' overrides count against it)."""
    return share(Q(category=F("triage_category")), among=AUTOMATIC)


@metric(label="Manual review rate", unit="share", dashboard="triage")
def manual_review_rate() -> Any:
    """Share of tickets triage was not confident about and sent to manual review."""
    return share(Q(triage_review=True))


# --- Agents ---------------------------------------------------------------------------------

@metric(label="Open load", unit="count", dashboard="agents")
def open_load() -> Any:
    """Open tickets assigned now (status new, awaiting info, open, pending or on hold)."""
    return Count("pk", filter=OPEN)


@metric(label="Average replies to solve", unit="ratio", dashboard="agents")
def replies_per_solve() -> Any:
    """Average public agent replies on solved tickets, counted at the solve."""
    return average("agent_replies_at_solve")
