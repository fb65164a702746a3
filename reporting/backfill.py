"""
Rebuild TicketMetrics rows from the system of record in set-based SQL, one id range per
statement: the same definitions as reporting.handlers, computed over the event timeline.

Business durations are left NULL: calendars are Python (escalation.calendars), and the live
handlers fill them for tickets measured from now on.
"""

from __future__ import annotations

from django.db import connection

from reporting.handlers import REOPEN_WINDOW

BATCH = 50_000

_SQL = """
WITH talk AS (
    SELECT e.id, lag(e.kind) OVER (PARTITION BY e.ticket_id ORDER BY e.created_at, e.id)
               AS prev_conv
    FROM tickets_ticketevent e
    WHERE e.ticket_id BETWEEN %(first)s AND %(last)s
      AND e.kind IN ('agent_replied', 'customer_replied')
),
conv AS (
    SELECT e.id, e.ticket_id, e.kind, e.created_at, e.before, e.after, e.reason_code, e.note,
           talk.prev_conv
    FROM tickets_ticketevent e
    LEFT JOIN talk ON talk.id = e.id
    WHERE e.ticket_id BETWEEN %(first)s AND %(last)s
),
marked AS (
    SELECT c.*,
        -- A customer message right after an agent reply starts a wait for the next response.
        max(CASE WHEN c.kind = 'customer_replied' AND c.prev_conv = 'agent_replied'
                 THEN c.created_at END) OVER w2 AS wait_started,
        max(CASE WHEN c.kind = 'status_changed' AND c.after->>'status' = 'solved'
                 THEN c.created_at END) OVER w2 AS solved_before,
        max(CASE WHEN c.kind = 'handoff_requested' THEN c.created_at END) OVER w2
            AS handoff_asked,
        count(*) FILTER (WHERE c.kind = 'agent_replied') OVER w2 AS replies_so_far
    FROM conv c
    WINDOW w2 AS (PARTITION BY c.ticket_id ORDER BY c.created_at, c.id
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
ev AS (
    SELECT ticket_id,
        min(created_at) FILTER (WHERE kind = 'agent_replied') AS first_reply,
        count(*) FILTER (WHERE kind = 'agent_replied') AS agent_replies,
        count(*) FILTER (WHERE kind = 'customer_replied') AS customer_replies,
        count(*) FILTER (WHERE kind = 'agent_replied' AND prev_conv = 'customer_replied'
                         AND wait_started IS NOT NULL) AS next_responses,
        coalesce(sum(extract(epoch FROM created_at - wait_started)::bigint)
                 FILTER (WHERE kind = 'agent_replied' AND prev_conv = 'customer_replied'
                         AND wait_started IS NOT NULL), 0) AS next_seconds,
        max(created_at) FILTER (WHERE kind = 'status_changed' AND after->>'status' = 'solved')
            AS last_solved,
        (array_agg(replies_so_far ORDER BY created_at DESC) FILTER (
            WHERE kind = 'status_changed' AND after->>'status' = 'solved'))[1] AS replies_at_solve,
        max(created_at) FILTER (WHERE kind = 'reopened') AS last_reopened,
        count(*) FILTER (WHERE kind = 'reopened') AS reopens,
        bool_or(kind = 'reopened' AND created_at - solved_before <= %(window)s) AS reopened_7d,
        count(*) FILTER (WHERE kind = 'assigned' AND before->>'assignee' IS NOT NULL
                         AND after->>'assignee' IS NOT NULL
                         AND before->>'assignee' <> after->>'assignee') AS assignee_hops,
        count(*) FILTER (WHERE kind = 'assigned' AND before->>'team' IS NOT NULL
                         AND after->>'team' IS NOT NULL
                         AND before->>'team' <> after->>'team') AS team_hops,
        array_agg(DISTINCT (after->>'assignee')::bigint) FILTER (
            WHERE kind = 'assigned' AND after->>'assignee' IS NOT NULL) AS owners,
        count(*) FILTER (WHERE kind = 'handoff_requested') AS handoffs_requested,
        count(*) FILTER (WHERE kind = 'handoff_rejected') AS handoffs_rejected,
        coalesce(sum(extract(epoch FROM created_at - handoff_asked)::bigint) FILTER (
            WHERE kind IN ('handoff_accepted', 'handoff_rejected', 'handoff_transferred')
            AND handoff_asked IS NOT NULL), 0) AS handoff_seconds,
        count(*) FILTER (WHERE kind = 'escalated') AS escalations,
        count(*) FILTER (WHERE kind = 'de_escalated') AS de_escalations,
        min(created_at) FILTER (WHERE kind = 'escalated') AS escalated_at,
        (array_agg(coalesce(nullif(after->>'trigger', ''), reason_code) ORDER BY created_at)
            FILTER (WHERE kind = 'escalated'))[1] AS escalation_trigger,
        (array_agg(coalesce(after->>'policy', '') ORDER BY created_at)
            FILTER (WHERE kind = 'escalated'))[1] AS escalation_policy,
        min(created_at) FILTER (WHERE kind = 'escalation_acknowledged') AS acknowledged_at,
        count(*) FILTER (WHERE kind = 'sla_breached') AS sla_breaches,
        bool_or(kind = 'sla_breached' AND after->>'metric' = 'first_response') AS frt_breached,
        bool_or(kind = 'sla_breached' AND coalesce(after->>'metric', '') <> 'first_response')
            AS res_breached,
        (array_agg(coalesce(after->>'score', after->>'rating') ORDER BY created_at DESC)
            FILTER (WHERE kind = 'satisfaction_rated'))[1]::int AS csat,
        (array_agg(after->>'nps' ORDER BY created_at DESC)
            FILTER (WHERE kind = 'satisfaction_rated' AND after->>'nps' IS NOT NULL))[1]::int
            AS nps,
        (array_agg(coalesce(nullif(after->>'comment', ''), note) ORDER BY created_at DESC)
            FILTER (WHERE kind = 'satisfaction_rated'))[1] AS csat_comment,
        max(created_at) FILTER (WHERE kind = 'satisfaction_rated') AS rated_at
    FROM marked
    GROUP BY ticket_id
),
triage AS (
    SELECT DISTINCT ON (d.ticket_id) d.ticket_id, d.category, d.source, d.needs_review
    FROM triage_triagedecision d
    WHERE d.ticket_id BETWEEN %(first)s AND %(last)s
    ORDER BY d.ticket_id, d.created_at, d.id
)
INSERT INTO reporting_ticketmetrics (
    ticket_id, created_at, team_id, assignee_id, priority, channel, tier, category,
    is_follow_up, status,
    sla_due_at, first_response_at, first_response_seconds, first_response_business_seconds,
    first_response_breached, awaiting_reply_since, next_responses, next_response_seconds_total,
    solved_at, last_solved_at, resolution_seconds, resolution_business_seconds,
    resolution_breached, agent_replies, customer_messages, agent_replies_at_solve, reopens,
    reopened_within_7d, csat_score, nps_score, csat_comment, rated_at, assignee_hops, team_hops,
    owner_ids, handoffs_requested, handoffs_rejected, handoff_pending_seconds,
    handoff_requested_at, escalations, de_escalations, escalated_at, escalation_trigger,
    escalation_policy, acknowledge_seconds, sla_breaches, triage_category, triage_source,
    triage_review, updated_at
)
SELECT
    t.id, t.created_at, t.team_id, t.assignee_id, t.priority, t.channel,
    coalesce(o.tier, ''), coalesce(t.category, ''), t.follows_up_id IS NOT NULL, t.status,
    t.sla_due_at,
    coalesce(ev.first_reply, t.first_response_at),
    extract(epoch FROM coalesce(ev.first_reply, t.first_response_at) - t.created_at)::int,
    NULL, coalesce(ev.frt_breached, false), NULL,
    coalesce(ev.next_responses, 0), coalesce(ev.next_seconds, 0),
    s.solved_at, coalesce(ev.last_solved, t.solved_at),
    extract(epoch FROM s.solved_at - t.created_at)::int, NULL,
    coalesce(ev.res_breached, false)
        OR coalesce(coalesce(ev.last_solved, t.solved_at) > t.sla_due_at, false),
    greatest(coalesce(ev.agent_replies, 0), t.public_replies),
    1 + coalesce(ev.customer_replies, 0),
    CASE WHEN s.solved_at IS NOT NULL
         THEN coalesce(ev.replies_at_solve, t.public_replies) END,
    greatest(coalesce(ev.reopens, 0), t.reopens), coalesce(ev.reopened_7d, false),
    ev.csat, ev.nps, coalesce(ev.csat_comment, ''), ev.rated_at,
    greatest(coalesce(ev.assignee_hops, 0), t.reassignments), coalesce(ev.team_hops, 0),
    coalesce(ev.owners, CASE WHEN t.assignee_id IS NULL THEN '{}'::bigint[]
                             ELSE ARRAY[t.assignee_id] END),
    coalesce(ev.handoffs_requested, 0), coalesce(ev.handoffs_rejected, 0),
    coalesce(ev.handoff_seconds, 0), NULL,
    greatest(coalesce(ev.escalations, 0), (t.escalated_at IS NOT NULL)::int),
    coalesce(ev.de_escalations, 0), coalesce(ev.escalated_at, t.escalated_at),
    coalesce(ev.escalation_trigger, CASE WHEN t.escalated_at IS NOT NULL THEN 'manual' END, ''),
    coalesce(ev.escalation_policy, ''),
    extract(epoch FROM ev.acknowledged_at - coalesce(ev.escalated_at, t.escalated_at))::int,
    coalesce(ev.sla_breaches, 0),
    coalesce(tr.category, ''), coalesce(tr.source, ''), coalesce(tr.needs_review, false),
    now()
FROM tickets_ticket t
LEFT JOIN tickets_organization o ON o.id = t.organization_id
LEFT JOIN ev ON ev.ticket_id = t.id
LEFT JOIN triage tr ON tr.ticket_id = t.id
CROSS JOIN LATERAL (
    SELECT CASE WHEN t.status IN ('solved', 'closed')
                THEN coalesce(ev.last_solved, t.solved_at) END AS solved_at
) s
WHERE t.id BETWEEN %(first)s AND %(last)s
ON CONFLICT (ticket_id) DO UPDATE SET
"""

_COLUMNS = (
    "created_at", "team_id", "assignee_id", "priority", "channel", "tier", "category",
    "is_follow_up", "status",
    "sla_due_at", "first_response_at", "first_response_seconds",
    "first_response_business_seconds", "first_response_breached", "awaiting_reply_since",
    "next_responses", "next_response_seconds_total", "solved_at", "last_solved_at",
    "resolution_seconds", "resolution_business_seconds", "resolution_breached",
    "agent_replies", "customer_messages", "agent_replies_at_solve", "reopens",
    "reopened_within_7d", "csat_score", "nps_score", "csat_comment", "rated_at",
    "assignee_hops", "team_hops", "owner_ids", "handoffs_requested", "handoffs_rejected",
    "handoff_pending_seconds", "handoff_requested_at", "escalations", "de_escalations",
    "escalated_at", "escalation_trigger", "escalation_policy", "acknowledge_seconds",
    "sla_breaches", "triage_category", "triage_source", "triage_review", "updated_at",
)
# Business durations already measured by the live handlers are kept, not reset to NULL.
_KEEP_IF_NEW_IS_NULL = {"first_response_business_seconds", "resolution_business_seconds"}
UPSERT_SQL = _SQL + ",\n".join(
    f"    {name} = coalesce(EXCLUDED.{name}, reporting_ticketmetrics.{name})"
    if name in _KEEP_IF_NEW_IS_NULL else f"    {name} = EXCLUDED.{name}"
    for name in _COLUMNS
)


def backfill_range(*, first_id: int, last_id: int) -> int:
    """Insert or refresh the metrics rows of tickets first_id..last_id; return rows written."""
    with connection.cursor() as cursor:
        cursor.execute(UPSERT_SQL, {"first": first_id, "last": last_id, "window": REOPEN_WINDOW})
        return cursor.rowcount


def ticket_id_bounds() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM tickets_ticket")
        low, high = cursor.fetchone()
    return int(low), int(high)


def backfill_all(*, batch: int = BATCH, log: object = None) -> int:
    """Backfill every ticket, one id range of `batch` per statement; return rows written."""
    low, high = ticket_id_bounds()
    written = 0
    for first in range(low, high + 1, batch):
        written += backfill_range(first_id=first, last_id=min(high, first + batch - 1))
        if callable(log):
            log(first, high, written)
    return written
