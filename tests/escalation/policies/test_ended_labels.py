"""Leads and managers judge escalations once they are over, from the escalations page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalation.escalations.models import EscalationLabel
from escalation.escalations.selectors import ENDED_DAYS
from escalation.escalations.services.records import de_escalate
from tests.escalation.policies import test_pages
from tests.tickets.factories import TeamFactory
from tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cookie_sessions")]
escalated = test_pages.escalated  # the fixture: open escalations of the team's tickets
web = test_pages.web
NO_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)")


@pytest.fixture
def ended(escalated, people):
    """Escalations of the team's tickets, ended by the lead (the earlier ones end first)."""

    def make(count: int, *, days_ago: float = 0):
        records = escalated(count)[-count:]
        with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
            for record in records:
                de_escalate(escalation=record, actor=people["lead"], reason="Customer answered")
        return records

    return make


def page(user) -> str:
    response = web(user).get(reverse("escalations:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def label(user, escalation, quality, **headers):
    return web(user).post(reverse("escalations:label", args=[escalation.pk]),
                          {"quality": quality}, **headers)


@pytest.mark.parametrize("role", ["lead", "manager"])
def test_the_page_lists_recently_ended_escalations_with_the_label_buttons(people, escalated,
                                                                          ended, role):
    # given an escalation that ended an hour ago, and one still open
    [over] = ended(1, days_ago=1 / 24)
    still_open = escalated(1)[-1]
    # when a lead or manager opens the escalations page
    html = page(people[role])
    # then the ended one is listed below the open ones, with a form posting each label by htmx
    assert f'data-ended-escalation="{over.pk}"' in html
    assert f'data-escalation="{over.pk}"' not in html  # not among the open ones
    assert f'data-escalation="{still_open.pk}"' in html
    assert f'data-ended-escalation="{still_open.pk}"' not in html
    assert f'hx-post="{reverse("escalations:label", args=[over.pk])}"' in html
    assert html.count('name="quality" value="premature"') == 2  # one form per row
    assert "Customer answered" in html
    assert NO_INLINE_SCRIPT.findall(html) == []


def test_a_lead_labels_an_ended_escalation_by_htmx(people, ended):
    # given an ended escalation
    [over] = ended(1)
    # when the lead labels it from the page (htmx)
    response = label(people["lead"], over, "late", HTTP_HX_REQUEST="true")
    # then it is stored, the cell comes back alone, and the page shows it from then on
    assert response.status_code == 200
    cell = response.content.decode()
    assert cell.lstrip().startswith(f'<td class="escalation-quality" id="quality-{over.pk}"')
    assert 'data-quality="late"' in cell
    stored = EscalationLabel.objects.get(escalation=over)
    assert (stored.quality, stored.labelled_by) == ("late", people["lead"])
    row = re.search(rf'<tr data-ended-escalation="{over.pk}">.*?</tr>', page(people["lead"]),
                    re.DOTALL)
    assert row is not None
    assert 'data-quality="late"' in row.group(0)


def test_a_manager_relabels_an_ended_escalation_and_history_keeps_both(people, ended):
    [over] = ended(1)
    label(people["lead"], over, "necessary")

    response = label(people["manager"], over, "premature")

    assert response.status_code == 302
    versions = list(EscalationLabel.objects.get(escalation=over).history
                    .order_by("history_date").values_list("quality", "labelled_by_id"))
    assert versions == [("necessary", people["lead"].pk), ("premature", people["manager"].pk)]


def test_agents_can_neither_see_nor_label_ended_escalations(people, ended):
    # given an ended escalation of the agent's own team
    [over] = ended(1)
    # when the agent opens the page or posts a label
    opened = web(people["agent"]).get(reverse("escalations:dashboard"))
    posted = label(people["agent"], over, "necessary", HTTP_HX_REQUEST="true")
    # then both are refused and nothing is stored
    assert (opened.status_code, posted.status_code) == (403, 403)
    assert not EscalationLabel.objects.exists()


def test_a_lead_neither_sees_nor_labels_ended_escalations_of_other_teams(people, ended):
    # given an ended escalation of another team's ticket
    [mine, foreign] = ended(2)
    Ticket.objects.filter(pk=foreign.ticket_id).update(team=TeamFactory(), assignee=None)
    # when the lead opens the page and posts a label for it
    html = page(people["lead"])
    response = label(people["lead"], foreign, "late")
    # then it is not listed, and missing to them
    assert f'data-ended-escalation="{mine.pk}"' in html
    assert f'data-ended-escalation="{foreign.pk}"' not in html
    assert response.status_code == 404
    assert not EscalationLabel.objects.exists()


def test_escalations_that_ended_long_ago_are_left_to_the_admin(people, ended):
    # given one escalation that ended just inside the window and one just outside it
    [old] = ended(1, days_ago=ENDED_DAYS + 0.1)
    [recent] = ended(1, days_ago=ENDED_DAYS - 0.1)
    # when a manager opens the page
    html = page(people["manager"])
    # then only the recent one is listed
    assert f'data-ended-escalation="{recent.pk}"' in html
    assert f'data-ended-escalation="{old.pk}"' not in html


def test_the_polled_board_leaves_the_ended_list_out(people, ended):
    [over] = ended(1)

    response = web(people["lead"]).get(reverse("escalations:dashboard"), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert f'data-ended-escalation="{over.pk}"' not in response.content.decode()


def test_ended_rows_cost_no_query_per_row(people, ended):
    # given two ended escalations, one labelled, and the page's query count
    client = web(people["manager"])
    first = ended(2)
    label(people["manager"], first[0], "necessary")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("escalations:dashboard"))
    # when five more end, some labelled by another person
    for record in ended(5)[:3]:
        label(people["lead"], record, "late")
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("escalations:dashboard")).content.decode()
    # then every row is shown for the same number of queries
    assert html.count("data-ended-escalation=") == 7
    assert html.count('data-quality="late"') == 3
    assert len(many) == len(few)


def test_the_page_leaves_the_queue_badges_to_the_navigation(people, ended):
    # given a page whose priority counts once shared the navigation badges' name
    ended(1)
    # when a lead opens it
    html = page(people["lead"])
    # then no queue badge reads "None", and the priority counts are still there
    assert '<span class="count">None</span>' not in html
    assert 'data-priority="P2"' in html
