"""Handoffs dashboard: how often tickets change hands, and transfers that wait or bounce."""

from __future__ import annotations

from django.db.models import Count

from reporting.selectors import metrics as m
from reporting.selectors.labels import with_team_names
from reporting.selectors.summary import summarised
from reporting.selectors.tables import Chart, Column, Scope, Table, dashboard, metric_columns
from routing.choices import HandoffState
from routing.models import Handoff

HOPS = [m.tickets, m.reassignments_per_ticket, m.team_transfers_per_ticket, m.many_owners,
        m.handoff_requests, m.handoff_rejections, m.average_pending_acceptance]


def rejected_by_reason(scope: Scope, limit: int = 20) -> Table:
    """Rejected transfers of the tickets in scope, grouped by the reason the team gave."""
    rows = list(
        Handoff.objects.filter(state=HandoffState.REJECTED,
                               ticket_id__in=scope.rows.values("ticket_id"))
        .values("rejection_reason").annotate(rejected=Count("pk"))
        .order_by("-rejected", "rejection_reason")[:limit])
    return Table("rejected-by-reason", "Rejected handoffs by reason",
                 [Column("rejection_reason", "Reason"), Column("rejected", "Rejected", "count")],
                 rows, Chart("bar", "rejection_reason", ("rejected",)))


@dashboard("handoffs", "Handoffs", "Reassignments, many owners, pending and rejected transfers.")
def handoff_tables(scope: Scope) -> list[Table]:
    by_team = with_team_names(summarised(scope, by=["team_id"], metrics=HOPS))
    return [
        Table("summary", "Handoffs", metric_columns(HOPS), summarised(scope, by=[],
                                                                      metrics=HOPS)),
        Table("by-team", "By current team", [Column("team_id_name", "Team"),
                                             *metric_columns(HOPS)],
              by_team, Chart("bar", "team_id_name", ("reassignments_per_ticket",))),
        rejected_by_reason(scope),
    ]
