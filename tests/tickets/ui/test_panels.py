import pytest

from tests.tickets.ui.conftest import make_ticket
from tickets.panels import Panel

pytestmark = pytest.mark.django_db


def ticket_reference_panel(*, ticket, user):
    return Panel("tests/panel.html", {"line": f"{ticket.reference} seen by {user.username}"})


def no_panel(*, ticket, user):
    return None


def test_listed_panels_render_in_the_side_column(settings, agent_web, desk_agent, team):
    # given
    settings.HELPDESK_TICKET_PANELS = [
        "tests.tickets.ui.test_panels.no_panel",
        "tests.tickets.ui.test_panels.ticket_reference_panel",
    ]
    ticket = make_ticket(team=team, assignee=desk_agent)
    # when
    body = agent_web.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    # then
    assert f'<p class="test-panel">{ticket.reference} seen by ana</p>' in body
    assert body.count('class="test-panel"') == 1
