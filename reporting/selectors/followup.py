"""Follow-up dashboard: reopens, repeat contacts, CSAT and NPS with comments, FCR."""

from __future__ import annotations

from reporting.selectors import metrics as m
from reporting.selectors.labels import with_team_names
from reporting.selectors.summary import summarised
from reporting.selectors.tables import Chart, Column, Scope, Table, dashboard, metric_columns

OUTCOMES = [m.tickets, m.solved, m.reopen_rate, m.repeat_contact_rate,
            m.first_contact_resolution, m.csat_responses, m.csat_average, m.csat_satisfied,
            m.nps]
COMMENTS = 25


def latest_comments(scope: Scope) -> Table:
    """The newest rating comments of tickets in scope."""
    rows = list(scope.rows.exclude(csat_comment="").order_by("-rated_at")
                .values("ticket_id", "csat_score", "nps_score", "csat_comment",
                        "rated_at")[:COMMENTS])
    return Table("comments", "Latest comments with ratings",
                 [Column("ticket_id", "Ticket"), Column("csat_score", "CSAT", "score"),
                  Column("nps_score", "NPS score", "score"), Column("csat_comment", "Comment"),
                  Column("rated_at", "Rated")], rows)


@dashboard("followup", "Follow-up", "Reopens, repeat contacts, CSAT, NPS and FCR.")
def followup_tables(scope: Scope) -> list[Table]:
    trend = [m.first_contact_resolution, m.reopen_rate, m.csat_satisfied]
    return [
        Table("summary", "Follow-up outcomes", metric_columns(OUTCOMES),
              summarised(scope, by=[], metrics=OUTCOMES)),
        Table("by-team", "By team", [Column("team_id_name", "Team"), *metric_columns(OUTCOMES)],
              with_team_names(summarised(scope, by=["team_id"], metrics=OUTCOMES)),
              Chart("bar", "team_id_name", ("first_contact_resolution",))),
        Table("trend", "By day of creation", [Column("day", "Day"), *metric_columns(trend)],
              summarised(scope, by=["day"], metrics=trend),
              Chart("line", "day", tuple(x.name for x in trend))),
        latest_comments(scope),
    ]
