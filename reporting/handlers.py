"""
Lifecycle event handlers (settings.HELPDESK_EVENT_HANDLERS) that keep each ticket's
TicketMetrics row current: ONE statement per event, in the event's transaction, which the
service already holds the ticket's row lock for.

The statement is an INSERT ... SELECT from the ticket (the dimensions read fresh: an event
may come with a ticket object read before the change it records) ON CONFLICT DO UPDATE. Each
measure says, in SQL, what the event makes of the row's values before it; it is written once
and compiled twice: over the stored row (`m.column`, the update) and over a fresh row's
defaults (the insert, the ticket's first event). Business times need a calendar, which is
Python's: the same statement returns the calendar that measured the metric, and only then
a second statement stores the business seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Final

from django.db import connection
from django.utils import timezone

from escalation.calendars import business_seconds_between, calendar_schedules
from escalation.models import SlaTimer
from reporting.models import TicketMetrics
from tickets.choices import EventKind, TicketStatus
from tickets.models import Organization, Ticket, TicketEvent
from tickets.prepared import execute_prepared

REOPEN_WINDOW = timedelta(days=7)
# The ticket's own columns that the row copies, so dashboards never join tickets; `category`
# too (the ticket's category_id, '' for none). Tier and follow-up are copied once, at insert.
DIMENSIONS: Final = ("team_id", "assignee_id", "priority", "channel", "status", "sla_due_at")
_TABLE: Final = TicketMetrics._meta.db_table


class Row:
    """
    The SQL a measure writes with: the row's values before the event, the ticket's fresh
    dimensions, and the event's own values as query parameters.
    """

    def __init__(self, *, stored: bool, params: dict[str, Any]) -> None:
        self.stored = stored
        self.params = params

    def old(self, column: str) -> str:
        """The column's value before the event: stored, or a fresh row's (default) value."""
        if self.stored:
            return f"m.{column}"
        if column == "created_at":
            return "t.created_at"
        if column in DIMENSIONS:
            return f"t.{column}"
        return _defaults()[column]

    def dim(self, column: str) -> str:
        """A dimension as this event leaves it (read from the ticket now)."""
        return f"EXCLUDED.{column}" if self.stored else f"t.{column}"

    def value(self, value: Any) -> str:
        """A query parameter for a value the event carries."""
        name = f"v{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"


def _default_sql(field: Any) -> str:
    default, db_type = field.get_default(), field.db_type(connection)
    if default is None:
        return f"NULL::{db_type}"
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, int):
        return str(default)
    if default == "":
        return "''"
    if default == []:
        return f"'{{}}'::{db_type}"
    raise TypeError(f"no SQL default for {field.name}")


@cache
def _defaults() -> dict[str, str]:
    """A fresh row's value of each measure column, as SQL (the model's defaults)."""
    fresh = {"created_at", "category", "tier", "is_follow_up", "updated_at", *DIMENSIONS}
    return {field.column: _default_sql(field) for field in TicketMetrics._meta.concrete_fields
            if not field.primary_key and field.column not in fresh}

Measure = Callable[[Row, TicketEvent, Any], dict[str, str]]


def _seconds(later: str, earlier: str) -> str:
    """Whole seconds from `earlier` to `later`, never negative (as int(total_seconds()))."""
    return f"greatest(0, trunc(extract(epoch from ({later} - {earlier}))))::bigint"


def _on_agent_replied(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    first, waiting = r.old("first_response_at"), r.old("awaiting_reply_since")
    answers = f"({first} IS NOT NULL AND {waiting} IS NOT NULL)"
    return {
        "agent_replies": f"{r.old('agent_replies')} + 1",
        "first_response_at": f"coalesce({first}, {at})",
        "first_response_seconds": f"CASE WHEN {first} IS NULL THEN "
        f"{_seconds(at, r.old('created_at'))} ELSE {r.old('first_response_seconds')} END",
        "next_responses": f"{r.old('next_responses')} + CASE WHEN {answers} THEN 1 ELSE 0 END",
        "next_response_seconds_total": f"{r.old('next_response_seconds_total')} + "
        f"CASE WHEN {answers} THEN {_seconds(at, waiting)} ELSE 0 END",
        "awaiting_reply_since": "NULL",
    }


def _on_customer_replied(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    first, waiting = r.old("first_response_at"), r.old("awaiting_reply_since")
    # Only a message after the first response starts a "next response" wait.
    return {
        "customer_messages": f"{r.old('customer_messages')} + 1",
        "awaiting_reply_since": f"CASE WHEN {first} IS NOT NULL AND {waiting} IS NULL "
        f"THEN {at} ELSE {waiting} END",
    }


def _on_status_changed(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    if event.after.get("status") != TicketStatus.SOLVED:
        return {}
    due = r.dim("sla_due_at")
    return {
        "solved_at": at,
        "last_solved_at": at,
        "resolution_seconds": _seconds(at, r.old("created_at")),
        # Stored by a second statement when an SLA calendar measured the resolution.
        "resolution_business_seconds": "NULL",
        "agent_replies_at_solve": r.old("agent_replies"),
        "resolution_breached": f"CASE WHEN {due} IS NOT NULL AND {at} > {due} THEN true "
        f"ELSE {r.old('resolution_breached')} END",
    }


def _on_reopened(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    solved = r.old("last_solved_at")
    return {
        "reopens": f"{r.old('reopens')} + 1",
        "reopened_within_7d": f"CASE WHEN {solved} IS NOT NULL AND {at} - {solved} <= "
        f"{r.value(REOPEN_WINDOW)} THEN true ELSE {r.old('reopened_within_7d')} END",
        "solved_at": "NULL",
        "resolution_seconds": "NULL",
        "resolution_business_seconds": "NULL",
    }


def _moved(before: dict[str, Any], after: dict[str, Any], key: str) -> bool:
    return before.get(key) is not None and after.get(key) not in (None, before.get(key))


def _on_assigned(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    before, after = event.before, event.after
    sets = {}
    if _moved(before, after, "assignee"):
        sets["assignee_hops"] = f"{r.old('assignee_hops')} + 1"
    if _moved(before, after, "team"):
        sets["team_hops"] = f"{r.old('team_hops')} + 1"
    owner = after.get("assignee")
    if owner is not None:
        owners, new = r.old("owner_ids"), f"{r.value(int(owner))}::bigint"
        sets["owner_ids"] = (f"CASE WHEN {new} = ANY({owners}) THEN {owners} "
                             f"ELSE array_append({owners}, {new}) END")
    return sets


def _on_escalated(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    first = f"{r.old('escalated_at')} IS NULL"
    trigger = r.value(str(event.after.get("trigger") or event.reason_code)[:64])
    policy = r.value(str(event.after.get("policy") or "")[:200])
    return {
        "escalations": f"{r.old('escalations')} + 1",
        "escalated_at": f"coalesce({r.old('escalated_at')}, {at})",
        "escalation_trigger": f"CASE WHEN {first} THEN {trigger} "
        f"ELSE {r.old('escalation_trigger')} END",
        "escalation_policy": f"CASE WHEN {first} THEN {policy} "
        f"ELSE {r.old('escalation_policy')} END",
    }


def _on_de_escalated(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    return {"de_escalations": f"{r.old('de_escalations')} + 1"}


def _on_escalation_acknowledged(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    acknowledged, escalated = r.old("acknowledge_seconds"), r.old("escalated_at")
    return {"acknowledge_seconds": f"CASE WHEN {acknowledged} IS NULL AND {escalated} IS NOT "
            f"NULL THEN {_seconds(at, escalated)} ELSE {acknowledged} END"}


def _on_sla_breached(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    breached = ("first_response_breached" if event.after.get("metric") == "first_response"
                else "resolution_breached")
    return {"sla_breaches": f"{r.old('sla_breaches')} + 1", breached: "true"}


def _on_satisfaction_rated(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    after = event.after
    score = after.get("score", after.get("rating"))
    sets = {
        "csat_score": r.value(int(score) if score is not None else None) + "::smallint",
        "csat_comment": r.value(str(after.get("comment") or event.note or "")),
        "rated_at": at,
    }
    if after.get("nps") is not None:
        sets["nps_score"] = r.value(int(after["nps"]))
    return sets


def _on_handoff_requested(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    return {"handoffs_requested": f"{r.old('handoffs_requested')} + 1",
            "handoff_requested_at": at}


def _on_handoff_decided(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    asked = r.old("handoff_requested_at")
    sets = {
        "handoff_pending_seconds": f"{r.old('handoff_pending_seconds')} + "
        f"CASE WHEN {asked} IS NOT NULL THEN {_seconds(at, asked)} ELSE 0 END",
        "handoff_requested_at": "NULL",
    }
    if event.kind == EventKind.HANDOFF_REJECTED:
        sets["handoffs_rejected"] = f"{r.old('handoffs_rejected')} + 1"
    return sets


def _dimensions_only(r: Row, event: TicketEvent, at: str) -> dict[str, str]:
    """Priority, category and SLA changes: the dimensions are refreshed for every kind."""
    return {}


MEASURES: dict[str, Measure] = {
    EventKind.CREATED: _dimensions_only,
    EventKind.AGENT_REPLIED: _on_agent_replied,
    EventKind.CUSTOMER_REPLIED: _on_customer_replied,
    EventKind.STATUS_CHANGED: _on_status_changed,
    EventKind.REOPENED: _on_reopened,
    EventKind.ASSIGNED: _on_assigned,
    EventKind.PRIORITY_CHANGED: _dimensions_only,
    EventKind.FIELDS_CHANGED: _dimensions_only,
    EventKind.SLA_APPLIED: _dimensions_only,
    EventKind.ESCALATED: _on_escalated,
    EventKind.DE_ESCALATED: _on_de_escalated,
    EventKind.ESCALATION_ACKNOWLEDGED: _on_escalation_acknowledged,
    EventKind.SLA_BREACHED: _on_sla_breached,
    EventKind.SATISFACTION_RATED: _on_satisfaction_rated,
    EventKind.HANDOFF_REQUESTED: _on_handoff_requested,
    EventKind.HANDOFF_ACCEPTED: _on_handoff_decided,
    EventKind.HANDOFF_REJECTED: _on_handoff_decided,
    EventKind.HANDOFF_TRANSFERRED: _on_handoff_decided,
}

# A fresh row: the ticket's dimensions, its organization's tier, whether it follows up.
_FRESH: Final = {
    "ticket_id": "t.id", "created_at": "t.created_at",
    **{column: f"t.{column}" for column in DIMENSIONS},
    "category": "coalesce(t.category, '')", "tier": "coalesce(o.tier, '')",
    "is_follow_up": "t.follows_up_id IS NOT NULL",
}

# The business time a measure may have set, by the SLA metric whose calendar measures it:
# (column of the end, column of the business seconds).
_BUSINESS: Final = {
    "first_response": ("first_response_at", "first_response_business_seconds"),
    "resolution": ("solved_at", "resolution_business_seconds"),
}


def _business_metric(event: TicketEvent) -> str | None:
    if event.kind == EventKind.AGENT_REPLIED:
        return "first_response"
    if event.kind == EventKind.STATUS_CHANGED and event.after.get("status") == TicketStatus.SOLVED:
        return "resolution"
    return None


def _returning(metric: str | None, at: str) -> str:
    """
    Return the calendar of the metric's SLA clock when this event ended the metric (the end
    is the event's time and no business time is stored yet), with the start and the end.
    """
    if metric is None:
        return ""
    end, business = _BUSINESS[metric]
    timers = SlaTimer._meta.db_table
    return (f" RETURNING m.created_at, m.{end}, CASE WHEN m.{end} = {at} AND m.{business} "
            f"IS NULL THEN (SELECT s.calendar_id FROM {timers} s WHERE s.ticket_id = "
            f"m.ticket_id AND s.metric = '{metric}' ORDER BY s.started_at DESC LIMIT 1) END")


def _upsert_sql(measure: Measure, event: TicketEvent, params: dict[str, Any]) -> str:
    at = "%(at)s"
    # Every column is listed: the model's defaults are Python's, not the table's.
    fresh = {**_FRESH, **_defaults(), **measure(Row(stored=False, params=params), event, at)}
    stored = measure(Row(stored=True, params=params), event, at)
    refreshed = [*DIMENSIONS, "category"]
    sets = [f"{column} = EXCLUDED.{column}" for column in refreshed if column not in stored]
    sets += [f"{column} = {sql}" for column, sql in stored.items()]
    return (
        f"INSERT INTO {_TABLE} AS m ({', '.join(fresh)}, updated_at) "
        f"SELECT {', '.join(fresh.values())}, %(now)s FROM {Ticket._meta.db_table} t "
        f"LEFT JOIN {Organization._meta.db_table} o ON o.id = t.organization_id "
        f"WHERE t.id = %(ticket)s "
        f"ON CONFLICT (ticket_id) DO UPDATE SET {', '.join(sets)}, updated_at = %(now)s"
        f"{_returning(_business_metric(event), at)}"
    )


def _store_business_time(ticket_id: int, metric: str, returned: Any) -> None:
    start, end, calendar_id = returned
    schedule = calendar_schedules().get(calendar_id) if calendar_id is not None else None
    if schedule is None:
        return
    seconds = max(0, business_seconds_between(schedule, start, end))
    column = _BUSINESS[metric][1]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_TABLE} SET {column} = %s WHERE ticket_id = %s",
                       [seconds, ticket_id])


def record_metrics(event: TicketEvent) -> None:
    """Fold one lifecycle event into its ticket's metrics row (created on first sight)."""
    measure = MEASURES.get(event.kind)
    if measure is None:
        return
    at: datetime = event.created_at
    params: dict[str, Any] = {"at": at, "now": timezone.now(), "ticket": event.ticket_id}
    sql = _upsert_sql(measure, event, params)
    metric = _business_metric(event)
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)
        returned = cursor.fetchone() if metric is not None else None
    if returned is not None:
        _store_business_time(event.ticket_id, metric, returned)
