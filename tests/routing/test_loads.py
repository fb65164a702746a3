"""Agents' open-ticket counters equal a recount from the tickets after every kind of change."""

import pytest
from django.db import transaction
from django.db.models import Count

from routing.choices import Presence, ReasonCode
from routing.models import AgentLoad, AgentProfile
from routing.services.handoffs import accept_handoff, request_transfer
from routing.services.loads import recount_agent_loads
from routing.services.reroute import reroute_unanswered_tickets
from routing.services.routing import route_ticket
from tests.routing.factories import (
    RoutingRuleFactory,
    TeamProfileFactory,
    agent_in,
    owned_tickets,
    team_name,
)
from tests.tickets.factories import TeamFactory, TicketFactory
from tickets.choices import UNSOLVED, TicketStatus
from tickets.models import Ticket
from tickets.services.assignment import assign_ticket
from tickets.services.lifecycle import change_status
from tickets.services.updates import update_ticket_fields
from tickets.services.workspace import (
    TicketChanges,
    apply_bulk_action,
    apply_ticket_changes,
)

pytestmark = pytest.mark.django_db


def counters(*agents) -> dict[int, dict[str, int]]:
    """Return the agents' counters as kept, leaving out priorities at zero."""
    rows = AgentLoad.objects.filter(user__in=agents)
    return {row.user_id: {p: n for p, n in row.counts().items() if n} for row in rows
            if any(row.counts().values())}


def recounted(*agents) -> dict[int, dict[str, int]]:
    """Return the agents' unsolved tickets by priority, counted from the ticket table."""
    rows = (Ticket.objects.filter(assignee__in=agents, status__in=UNSOLVED)
            .values_list("assignee_id", "priority").annotate(n=Count("pk")).order_by())
    result: dict[int, dict[str, int]] = {}
    for agent_id, priority, n in rows:
        result.setdefault(agent_id, {})[priority] = n
    return result


@pytest.fixture
def desk():
    support = TeamFactory(name=team_name("Support"))
    ana, ben = agent_in(support, capacity=50), agent_in(support, capacity=50)
    return support, ana, ben


def test_assign_reassign_and_unassign_move_the_ticket_between_counters(desk):
    support, ana, ben = desk
    ticket = TicketFactory(team=support, priority="P2")
    # when / then: each step keeps the counters equal to a recount
    assign_ticket(ticket=ticket, agent=ana, reason_code="manual", actor=None)
    assert counters(ana, ben) == recounted(ana, ben) == {ana.pk: {"P2": 1}}
    assign_ticket(ticket=ticket, agent=ben, reason_code="manual", actor=None)
    assert counters(ana, ben) == recounted(ana, ben) == {ben.pk: {"P2": 1}}
    assign_ticket(ticket=ticket, agent=None, reason_code="manual", actor=None)
    assert counters(ana, ben) == recounted(ana, ben) == {}


def test_solve_reopen_and_close_leave_and_rejoin_the_load(desk):
    support, ana, _ = desk
    (ticket,) = owned_tickets(1, agent=ana, team=support, priority="P3")
    steps = [(TicketStatus.PENDING, {"P3": 1}), (TicketStatus.SOLVED, {}),
             (TicketStatus.OPEN, {"P3": 1}), (TicketStatus.SOLVED, {}),
             (TicketStatus.CLOSED, {})]
    for status, expected in steps:
        ticket = change_status(ticket=ticket, status=status, actor=None)
        assert counters(ana) == recounted(ana) == ({ana.pk: expected} if expected else {})


def test_a_priority_change_moves_the_ticket_between_priorities_of_its_owner(desk):
    support, ana, _ = desk
    (ticket,) = owned_tickets(1, agent=ana, team=support, priority="P4")
    # when
    update_ticket_fields(ticket=ticket, changes={"priority": "P1"}, actor=None)
    # then
    assert counters(ana) == recounted(ana) == {ana.pk: {"P1": 1}}


def test_a_solved_tickets_priority_or_owner_change_counts_nowhere(desk):
    support, ana, ben = desk
    (ticket,) = owned_tickets(1, agent=ana, team=support, status=TicketStatus.SOLVED)
    update_ticket_fields(ticket=ticket, changes={"priority": "P1"}, actor=None)
    assign_ticket(ticket=ticket, agent=ben, reason_code="manual", actor=None)
    assert counters(ana, ben) == recounted(ana, ben) == {}


def test_one_page_edit_of_priority_owner_and_status_together(desk):
    support, ana, ben = desk
    (ticket,) = owned_tickets(1, agent=ana, team=support, priority="P3")
    # when: the ticket page changes priority, owner and status in one transaction
    apply_ticket_changes(ticket=ticket, actor=ana, reason="", expected_etag=ticket.etag,
                         changes=TicketChanges(priority="P2", assignee=ben,
                                               status=TicketStatus.PENDING))
    # then
    assert counters(ana, ben) == recounted(ana, ben) == {ben.pk: {"P2": 1}}


def test_bulk_actions_keep_every_counter(desk):
    support, ana, ben = desk
    tickets = owned_tickets(3, agent=ana, team=support, priority="P3")
    fresh = [Ticket.objects.get(pk=t.pk) for t in tickets]

    def bulk(action, value):
        apply_bulk_action(tickets=[Ticket.objects.get(pk=t.pk) for t in fresh],
                          requested=len(fresh), action=action, value=value, actor=ana,
                          reason="tidy")

    bulk("priority", "P1")
    assert counters(ana, ben) == recounted(ana, ben) == {ana.pk: {"P1": 3}}
    bulk("assign_agent", ben)
    assert counters(ana, ben) == recounted(ana, ben) == {ben.pk: {"P1": 3}}
    bulk("status", TicketStatus.SOLVED)
    assert counters(ana, ben) == recounted(ana, ben) == {}


def test_routing_rerouting_and_a_handoff_keep_the_counters(desk):
    support, ana, ben = desk
    billing = TeamFactory(name=team_name("Billing"))
    TeamProfileFactory(team=billing)
    cara = agent_in(billing)
    RoutingRuleFactory(team=support)
    ticket = TicketFactory(priority="P2")
    # when: routed to an agent of Support, re-routed away from them, then transferred
    route_ticket(ticket=ticket)
    first = Ticket.objects.get(pk=ticket.pk).assignee
    AgentProfile.objects.filter(user=first).update(presence=Presence.AWAY)
    reroute_unanswered_tickets(agent_id=first.pk, reason_code=ReasonCode.AGENT_AWAY)
    second = Ticket.objects.get(pk=ticket.pk).assignee
    request_transfer(ticket=Ticket.objects.get(pk=ticket.pk), to_team=billing, actor=cara)
    # then
    assert {first, second} == {ana, ben}
    assert counters(ana, ben, cara) == recounted(ana, ben, cara) == {cara.pk: {"P2": 1}}


def test_an_accepted_handoff_moves_the_load_to_the_accepting_agent():
    support, billing = TeamFactory(name=team_name("Support")), TeamFactory(name=team_name("B"))
    TeamProfileFactory(team=billing, must_accept=True)
    sender, receiver = agent_in(support), agent_in(billing)
    (ticket,) = owned_tickets(1, agent=sender, team=support)
    handoff = request_transfer(ticket=ticket, to_team=billing, actor=sender)
    # when
    accept_handoff(handoff=handoff, actor=receiver)
    # then
    assert counters(sender, receiver) == recounted(sender, receiver) == {receiver.pk: {"P3": 1}}


def test_a_change_that_rolls_back_leaves_the_counters_as_they_were(desk):
    support, ana, _ = desk
    ticket = TicketFactory(team=support)


    @transaction.atomic
    def assign_then_fail():
        assign_ticket(ticket=ticket, agent=ana, reason_code="manual", actor=None)
        raise RuntimeError("the request failed after the assignment")

    # when: the handler runs inside the change's transaction, which then fails
    with pytest.raises(RuntimeError):
        assign_then_fail()
    # then
    assert counters(ana) == recounted(ana) == {}


def test_the_repair_corrects_what_writes_around_the_services_left_wrong(desk, caplog):
    support, ana, ben = desk
    owned_tickets(2, agent=ana, team=support, priority="P2")
    # given: an import solves one ticket and hands another to Ben behind the services' back
    first = Ticket.objects.filter(assignee=ana).order_by("pk").first()
    Ticket.objects.filter(pk=first.pk).update(status=TicketStatus.SOLVED)
    TicketFactory(team=support, assignee=ben, status=TicketStatus.OPEN, priority="P1")
    assert counters(ana, ben) != recounted(ana, ben)
    # when
    corrected = recount_agent_loads(agent_ids=[ana.pk, ben.pk])
    # then: both rows fixed (Ben's created), reported; a second run finds nothing to fix
    assert sorted(corrected) == sorted([ana.pk, ben.pk])
    assert counters(ana, ben) == recounted(ana, ben) == {ana.pk: {"P2": 1}, ben.pk: {"P1": 1}}
    assert "corrected the open-ticket counters" in caplog.text
    assert recount_agent_loads(agent_ids=[ana.pk, ben.pk]) == []


def test_routing_reads_the_kept_counters_not_the_ticket_table(desk):
    # given: Ana's six tickets came in behind the services' back (a raw import), so her
    # counter still says none until the repair runs
    support, ana, ben = desk
    RoutingRuleFactory(team=support)
    TicketFactory.create_batch(6, team=support, assignee=ana, status=TicketStatus.OPEN)
    owned_tickets(2, agent=ben, team=support)
    # when / then: routing goes by the counters, then by the repaired ones
    assert route_ticket(ticket=TicketFactory()).agent == ana
    recount_agent_loads(agent_ids=[ana.pk, ben.pk])
    decision = route_ticket(ticket=TicketFactory())
    assert decision.agent == ben
    assert {c["agent"]["id"]: c["load"] for c in decision.candidates} == {ana.pk: 7, ben.pk: 2}
