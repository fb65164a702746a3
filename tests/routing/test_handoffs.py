import pytest

from routing.choices import (
    HANDOFF_ACCEPTED,
    HANDOFF_REJECTED,
    HANDOFF_REQUESTED,
    HANDOFF_TRANSFERRED,
    HandoffState,
    ReasonCode,
)
from routing.facts import transfer_facts
from routing.selectors import followers_of
from routing.services.handoffs import (
    HandoffDecided,
    InvalidTransfer,
    RejectionNeedsReason,
    TransferRefused,
    accept_handoff,
    reject_handoff,
    request_transfer,
)
from tests.routing.factories import TeamProfileFactory, agent_in, team_name
from tests.tickets.factories import OrganizationFactory, TeamFactory, TicketFactory
from tickets.choices import EventKind, TicketStatus
from tickets.conditions import evaluate, ticket_facts
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    support = TeamFactory(name=team_name("Support"))
    billing = TeamFactory(name=team_name("Billing"))
    TeamProfileFactory(team=billing, must_accept=True, bounce_limit=1,
                       required_fields=["organization.name", "ticket.custom_fields.order_id"])
    sender, receiver = agent_in(support), agent_in(billing)
    ticket = TicketFactory(team=support, assignee=sender, status=TicketStatus.OPEN,
                           organization=OrganizationFactory(name="Acme"))
    return support, billing, sender, receiver, ticket


def _with_order_id(ticket):
    ticket.custom_fields = {"order_id": "A-1"}
    ticket.save()
    return ticket


def test_a_transfer_missing_required_fields_is_refused_with_the_list(desk):
    support, billing, sender, _, ticket = desk
    with pytest.raises(TransferRefused) as refused:
        request_transfer(ticket=ticket, to_team=billing, actor=sender)
    assert refused.value.missing == ["ticket.custom_fields.order_id"]
    assert refused.value.status_code == 400
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (support, sender)
    assert not ticket.handoffs.exists()


def test_a_rejected_handoff_returns_with_its_reason_and_names_the_parties(desk):
    # given
    support, billing, sender, receiver, ticket = desk
    handoff = request_transfer(ticket=_with_order_id(ticket), to_team=billing, actor=sender,
                               note="Refund?")
    assert handoff.state == HandoffState.PENDING
    # when
    reject_handoff(handoff=handoff, actor=receiver, reason="Not a billing question")
    # then
    handoff.refresh_from_db()
    ticket.refresh_from_db()
    assert (handoff.state, handoff.rejection_reason) == (HandoffState.REJECTED,
                                                         "Not a billing question")
    assert (ticket.team, ticket.assignee) == (support, sender)
    kinds = list(TicketEvent.objects.filter(ticket=ticket).values_list("kind", "note"))
    assert kinds == [(HANDOFF_REQUESTED, "Refund?"), (HANDOFF_REJECTED, "Not a billing question")]
    requested = TicketEvent.objects.get(ticket=ticket, kind=HANDOFF_REQUESTED)
    assert requested.actor == sender
    assert requested.after["requested_by"] == sender.pk
    assert requested.after["to_team"] == billing.pk
    rejected = TicketEvent.objects.get(ticket=ticket, kind=HANDOFF_REJECTED)
    assert rejected.actor == receiver
    assert rejected.after["notify"] == sender.pk
    assert rejected.after["decided_by"] == receiver.pk
    assert rejected.after["requested_by"] == sender.pk
    with pytest.raises(HandoffDecided):
        accept_handoff(handoff=handoff, actor=receiver)


def test_a_rejection_needs_a_reason(desk):
    _, billing, sender, receiver, ticket = desk
    handoff = request_transfer(ticket=_with_order_id(ticket), to_team=billing, actor=sender)
    with pytest.raises(RejectionNeedsReason):
        reject_handoff(handoff=handoff, actor=receiver, reason="   ")
    handoff.refresh_from_db()
    assert handoff.state == HandoffState.PENDING


def test_a_second_transfer_while_one_waits_is_illegal(desk):
    support, billing, sender, _, ticket = desk
    request_transfer(ticket=_with_order_id(ticket), to_team=billing, actor=sender)
    with pytest.raises(InvalidTransfer):
        request_transfer(ticket=ticket, to_team=TeamFactory(), actor=sender)
    with pytest.raises(InvalidTransfer):
        request_transfer(ticket=ticket, to_team=support, actor=sender)


def test_the_original_owner_follows_the_ticket_once_transferred(desk):
    # given
    _, billing, sender, receiver, ticket = desk
    handoff = request_transfer(ticket=_with_order_id(ticket), to_team=billing, actor=sender)
    # when
    accept_handoff(handoff=handoff, actor=receiver)
    # then
    assert list(followers_of(ticket)) == [sender]
    accepted = TicketEvent.objects.get(ticket=ticket, kind=HANDOFF_ACCEPTED)
    assert accepted.after["decided_by"] == receiver.pk
    assert accepted.after["from_agent"] == sender.pk
    assert accepted.after["wait_seconds"] >= 0


def test_an_accepted_handoff_gives_a_new_owner_and_counts_bounces(desk):
    # given
    support, billing, sender, receiver, ticket = desk
    _with_order_id(ticket)
    # when: over to billing and back
    accept_handoff(handoff=request_transfer(ticket=ticket, to_team=billing, actor=sender),
                   actor=receiver)
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee, ticket.reassignments) == (billing, receiver, 1)
    request_transfer(ticket=ticket, to_team=support, actor=receiver)
    # then
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (support, None)
    codes = list(TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNED)
                 .values_list("reason_code", flat=True))
    assert codes == [ReasonCode.HANDOFF_ACCEPTED, ReasonCode.HANDOFF_DIRECT]
    assert TicketEvent.objects.filter(ticket=ticket, kind=HANDOFF_TRANSFERRED).count() == 1
    loaded = Ticket.objects.select_related("routing_decision").get(pk=ticket.pk)
    # support has no profile: the default limit of 3 applies
    assert transfer_facts(loaded) == {"routing.transfers": 2, "routing.bounced": False}
    loaded.team = billing  # billing allows one transfer
    assert transfer_facts(loaded)["routing.bounced"] is True


def test_the_bounce_flag_is_a_fact_that_rules_can_test(desk):
    # given: a ticket transferred twice, now on a team that allows one transfer
    support, billing, sender, receiver, ticket = desk
    _with_order_id(ticket)
    accept_handoff(handoff=request_transfer(ticket=ticket, to_team=billing, actor=sender),
                   actor=receiver)
    ticket.refresh_from_db()
    TeamProfileFactory(team=support, bounce_limit=1)
    request_transfer(ticket=ticket, to_team=support, actor=receiver)
    rule = {"field": "routing.bounced", "op": "equals", "value": True}
    # when
    loaded = Ticket.objects.select_related("routing_decision").get(pk=ticket.pk)
    # then
    assert evaluate(rule, facts=ticket_facts(loaded)) is True
    fresh = TicketFactory()
    fresh = Ticket.objects.prefetch_related("routing_decision").get(pk=fresh.pk)
    assert ticket_facts(fresh)["routing.transfers"] == 0
    assert evaluate(rule, facts=ticket_facts(fresh)) is False
