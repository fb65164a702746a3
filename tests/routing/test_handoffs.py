import pytest

from routing.choices import HANDOFF_REJECTED, HANDOFF_REQUESTED, HandoffState, ReasonCode
from routing.services.handoffs import (
    HandoffDecided,
    TransferRefused,
    accept_handoff,
    reject_handoff,
    request_transfer,
    transfer_facts,
)
from tests.routing.factories import TeamProfileFactory, agent_in, team_name
from tests.tickets.factories import OrganizationFactory, TeamFactory, TicketFactory
from tickets.choices import EventKind, TicketStatus
from tickets.models import TicketEvent

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


def test_a_transfer_missing_required_fields_is_refused_with_the_list(desk):
    support, billing, sender, _, ticket = desk
    with pytest.raises(TransferRefused) as refused:
        request_transfer(ticket=ticket, to_team=billing, actor=sender)
    assert refused.value.missing == ["ticket.custom_fields.order_id"]
    ticket.refresh_from_db()
    assert (ticket.team, ticket.assignee) == (support, sender)


def test_a_rejected_handoff_returns_with_its_reason(desk):
    # given
    support, billing, sender, receiver, ticket = desk
    ticket.custom_fields = {"order_id": "A-1"}
    ticket.save()
    handoff = request_transfer(ticket=ticket, to_team=billing, actor=sender, note="Refund?")
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
    rejected = TicketEvent.objects.get(ticket=ticket, kind=HANDOFF_REJECTED)
    assert rejected.after["notify"] == sender.pk
    with pytest.raises(HandoffDecided):
        accept_handoff(handoff=handoff, actor=receiver)


def test_an_accepted_handoff_gives_a_new_owner_and_counts_bounces(desk):
    # given
    support, billing, sender, receiver, ticket = desk
    ticket.custom_fields = {"order_id": "A-1"}
    ticket.save()
    # when: over to billing and back, twice past billing's limit of 1
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
    assert transfer_facts(ticket=ticket) == {"routing.transfers": 2, "routing.bounced": False}
    ticket.team = billing
    assert transfer_facts(ticket=ticket)["routing.bounced"] is True
