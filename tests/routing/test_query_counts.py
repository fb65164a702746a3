"""The routing stage costs a bounded number of queries, whatever the team and rule counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from routing.services.routing import route_ticket
from routing.snapshot import publish_snapshot_version
from tests.routing.factories import RoutingRuleFactory, agent_in, needs
from tests.tickets.factories import TeamFactory, TicketFactory
from tickets.conditions.facts import FACT_RELATIONS
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

# Snapshot version (Redis, not counted; rosters and rules are in memory) then: presence and
# loads of the team in one query, the chosen agent's claim with the decision row (their lock,
# then membership, load and round-robin clock under it and the decision's upsert: two
# statements in one round trip), assign_ticket (lock, update, event: the roster already
# proved the permission).
ROUTING_QUERIES = 5


def _route_fresh_ticket() -> int:
    ticket = Ticket.objects.select_related(*FACT_RELATIONS).get(pk=TicketFactory(priority="P1").pk)
    with CaptureQueriesContext(connection) as queries:
        route_ticket(ticket=ticket)
    ticket.refresh_from_db()
    assert ticket.assignee_id is not None
    # Savepoints are bookkeeping of nested atomic blocks, not reads or writes.
    return sum(1 for q in queries.captured_queries
               if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))


def _desk(*, agents: int, rules: int) -> None:
    team = TeamFactory()
    for n in range(rules - 1):
        RoutingRuleFactory(order=n, condition={"field": "ticket.tags", "op": "contains",
                                               "value": f"never-{n}"})
    needs(RoutingRuleFactory(team=team, order=rules), api=2)
    for n in range(agents):
        agent_in(team, skills={"api": 1 + n % 5, "billing": 3}, capacity=50)
    publish_snapshot_version()  # as after the admin's change commits
    _route_fresh_ticket()  # loads the snapshot into this thread


@pytest.mark.parametrize(("agents", "rules"), [(3, 2), (40, 30)])
def test_routing_a_ticket_runs_the_same_few_queries_whatever_the_desk_size(
    agents, rules, settings
):
    # Only routing's own work is counted: other apps' ASSIGNED handlers add their own.
    settings.HELPDESK_EVENT_HANDLERS = {}
    _desk(agents=agents, rules=rules)
    assert _route_fresh_ticket() == ROUTING_QUERIES
