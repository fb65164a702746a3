"""
Claim an agent for a ticket under a row lock, and store the ticket's routing decision: the
SQL of both, and the one round trip that does both for the strategy's first choice.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.db import connection

from routing.candidates import Candidate
from routing.models import AgentLoad, AgentProfile, RoutingDecision
from routing.selectors import weighted_load_sql
from tickets.models import Team, Ticket
from tickets.prepared import execute_prepared

User = get_user_model()

BUSY: Final = "is being given another ticket right now"
GONE: Final = "has left the team or was deactivated"


@cache
def _claim_sql() -> tuple[str, str, list[str]]:
    """
    Two statements sent together: the first locks the agent's profile row unless a
    concurrent intake holds it; the second, whose snapshot starts once the lock is held (so
    every earlier holder has committed and their assignments are counted), reads whether
    they may still own the team's tickets (active, a member: read now, not from the
    snapshot) and their load, and starts their round-robin clock only if they are still
    free. It finds the row only if the first locked it. (OFFSET 0 keeps the agent's row read
    once: merged into the UPDATE, its figures would be computed for SET and RETURNING each.)

    A concurrent intake that holds the lock is assigning to this agent right now; waiting
    for it could deadlock with intakes that try agents in another order, so the agent is
    skipped (SKIP LOCKED).
    """
    fields = User._meta.concrete_fields
    profiles, users = AgentProfile._meta.db_table, User._meta.db_table
    members, loads = Team.members.through._meta.db_table, AgentLoad._meta.db_table
    lock = f"SELECT 1 FROM {profiles} WHERE id = %(profile)s FOR UPDATE SKIP LOCKED"
    claim = f"""
        UPDATE {profiles} p SET last_assigned_at = CASE
               WHEN c.may_own AND c.load + %(weight)s <= %(capacity)s THEN %(now)s
               ELSE p.last_assigned_at END
          FROM (SELECT {", ".join(f"u.{field.column}" for field in fields)},
                       u.is_active AND EXISTS (SELECT 1 FROM {members} m
                        WHERE m.team_id = %(team)s AND m.user_id = u.id) AS may_own,
                       coalesce((SELECT {weighted_load_sql("q", "l")} FROM {loads} l
                                  WHERE l.user_id = q.user_id), 0) AS load
                  FROM {profiles} q JOIN {users} u ON u.id = q.user_id
                 WHERE q.id = %(profile)s OFFSET 0) c
         WHERE p.id = (SELECT id FROM {profiles} WHERE id = %(profile)s
                       FOR UPDATE SKIP LOCKED)
        RETURNING c.*
    """
    return lock, claim, [field.attname for field in fields]


@cache
def _written() -> tuple[Any, ...]:
    return tuple(f for f in RoutingDecision._meta.concrete_fields
                 if not f.primary_key and f.name != "transfers")


@cache
def _decision_param_names() -> tuple[str, ...]:
    """The decision's values as the statement that claims and stores names them."""
    return tuple(f"d_{f.attname}" for f in _written())


def _upsert(columns: list[str], source: str) -> str:
    replaced = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "ticket_id")
    return (f"INSERT INTO {RoutingDecision._meta.db_table} ({', '.join(columns)}) {source} "
            f"ON CONFLICT (ticket_id) DO UPDATE SET {replaced} RETURNING id, transfers")


@cache
def _decision_upsert() -> str:
    """The ticket's current decision written whether it had one or not (see store_decision)."""
    columns = [f.column for f in _written()]
    return _upsert(columns, f"VALUES ({', '.join(['%s'] * len(columns))})")


@cache
def _claim_and_store_sql() -> tuple[str, str]:
    """
    The claim's two statements, the second also writing the decision in the same snapshot,
    only if the claim found the agent as the plan did: still allowed to own the team's
    tickets, with the load the plan read (and so below capacity; the stored story names it).
    """
    lock, claim, _ = _claim_sql()
    written = _written()
    values = ", ".join(f"%({name})s::{f.db_type(connection)}"
                       for name, f in zip(_decision_param_names(), written, strict=True))
    store = _upsert([f.column for f in written],
                    f"SELECT {values} FROM claimed WHERE claimed.may_own "
                    "AND claimed.load = %(planned)s")
    both = (f"WITH claimed AS ({claim}), stored AS ({store}) "
            "SELECT claimed.*, stored.id, stored.transfers FROM claimed LEFT JOIN stored ON true")
    return lock, both


def _claim_params(candidate: Candidate, now: Any) -> dict[str, Any]:
    return {"profile": candidate.agent.pk, "team": candidate.team_id, "now": now,
            "weight": candidate.weight, "capacity": candidate.capacity}


def _read_claim(candidate: Candidate, row: tuple[Any, ...] | None) -> bool:
    """Note on the candidate what the claim found; return whether they were claimed."""
    if row is None:
        candidate.skipped.append(BUSY)
        return False
    *user_values, may_own, load = row
    if not may_own:
        candidate.skipped.append(GONE)
        return False
    candidate.user = User.from_db(connection.alias, _claim_sql()[2], user_values)
    candidate.load = load
    if load + candidate.weight > candidate.capacity:
        candidate.skipped.append(f"at capacity ({load}/{candidate.capacity})")
        return False
    return True


def lock_and_recheck(candidate: Candidate, now: Any) -> bool:
    """
    Lock the agent, check they may still own the team's tickets and, on their load read
    under the lock, that they are below capacity; only then is their round-robin clock
    started. One round trip.
    """
    lock, claim, _ = _claim_sql()
    with connection.cursor() as cursor:
        execute_prepared(cursor, (lock, claim), _claim_params(candidate, now))
        row = cursor.fetchone()
    return _read_claim(candidate, row)


def _decision_row(ticket: Ticket, fields: dict[str, Any]) -> tuple[RoutingDecision, list[Any]]:
    decision = RoutingDecision(ticket=ticket, **fields)
    return decision, [f.get_prep_value(getattr(decision, f.attname)) for f in _written()]


def _stored(decision: RoutingDecision, pk: int, transfers: int) -> RoutingDecision:
    decision.pk, decision.transfers = pk, transfers
    decision._state.adding, decision._state.db = False, connection.alias
    return decision


def store_decision(ticket: Ticket, fields: dict[str, Any]) -> RoutingDecision:
    """
    Write the ticket's current decision in one statement, whether it had one or not: a
    re-route replaces every field but the count of transfers, which outlives decisions.
    """
    decision, values = _decision_row(ticket, fields)
    with connection.cursor() as cursor:
        execute_prepared(cursor, _decision_upsert(), values)
        return _stored(decision, *cursor.fetchone())


def claim_and_store(
    ticket: Ticket, candidate: Candidate, now: Any, fields: dict[str, Any]
) -> tuple[bool, RoutingDecision | None]:
    """
    Claim the candidate as lock_and_recheck does and, in the same round trip, store the
    decision `fields` describe (naming them, with the load the plan read). Return whether
    they were claimed, and the decision if it was stored: not when the claim found them
    other than the plan did, and the story must be told again.
    """
    decision, values = _decision_row(ticket, fields)
    params = _claim_params(candidate, now) | {"planned": candidate.load}
    params.update(zip(_decision_param_names(), values, strict=True))
    with connection.cursor() as cursor:
        execute_prepared(cursor, _claim_and_store_sql(), params)
        row = cursor.fetchone()
    if row is None:
        return _read_claim(candidate, None), None
    *claim_row, pk, transfers = row
    claimed = _read_claim(candidate, tuple(claim_row))
    if not claimed or pk is None:
        return claimed, None
    decision.agent = candidate.user
    return True, _stored(decision, pk, transfers)
