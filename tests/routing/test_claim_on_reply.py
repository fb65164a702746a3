import pytest

from routing.choices import ReasonCode
from tests.routing.factories import TeamProfileFactory, agent_in
from tests.tickets.factories import AgentFactory, TeamFactory, TicketFactory
from tickets.choices import EventKind
from tickets.models import TicketEvent
from tickets.services.messages import add_agent_message

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("claims", "public", "owner_expected"), [
    (True, True, True),
    (True, False, False),  # an internal note is not a reply
    (False, True, False),  # the team does not claim on reply
])
def test_first_public_reply_claims_an_unassigned_team_ticket(claims, public, owner_expected):
    # given
    team = TeamFactory()
    TeamProfileFactory(team=team, claim_on_reply=claims)
    replier = agent_in(team)
    ticket = TicketFactory(team=team)
    # when
    add_agent_message(ticket=ticket, author=replier, body="On it", public=public)
    # then
    ticket.refresh_from_db()
    assert ticket.assignee == (replier if owner_expected else None)
    if owner_expected:
        event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ASSIGNED)
        assert (event.reason_code, event.actor) == (ReasonCode.CLAIMED_ON_REPLY, replier)


def test_a_reply_from_outside_the_team_or_on_an_owned_ticket_claims_nothing():
    team = TeamFactory()
    TeamProfileFactory(team=team, claim_on_reply=True)
    owner, colleague = agent_in(team), agent_in(team)
    outsider = AgentFactory()
    owned = TicketFactory(team=team, assignee=owner)
    unowned = TicketFactory(team=team)
    add_agent_message(ticket=owned, author=colleague, body="Hi", public=True)
    add_agent_message(ticket=unowned, author=outsider, body="Hi", public=True)
    owned.refresh_from_db()
    unowned.refresh_from_db()
    assert (owned.assignee, unowned.assignee) == (owner, None)
