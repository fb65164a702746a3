"""The timeline rows built in Python escape every value, as the template did."""

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from tests.tickets.ui.conftest import make_ticket
from tickets.choices import EventKind
from tickets.models import Attachment, Message, TicketEvent

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def test_every_timeline_value_is_text(agent_web, desk_agent, team):
    # given a note, an event and a file name, each carrying a payload
    ticket = make_ticket(team=team, assignee=desk_agent)
    note = Message.objects.create(ticket=ticket, kind="internal", author_user=desk_agent,
                                  body=XSS)
    Attachment.objects.create(ticket=ticket, message=note, file="attachments/x/y.txt",
                              filename=XSS, content_type="text/plain", size=2048,
                              sha256="0" * 64)
    TicketEvent.objects.create(ticket=ticket, kind=EventKind.FIELDS_CHANGED, actor=desk_agent,
                               before={"tags": []}, after={"tags": [XSS]},
                               reason_code=XSS, note=XSS)
    # when
    body = agent_web.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    # then: five payloads shown as text, none as markup
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert body.count(ESCAPED) >= 5
    assert f"reason: {ESCAPED}" in body
    assert f"tags: none → {ESCAPED}" in body
    assert "2.0\xa0KB" in body
    assert 'class="msg msg-note"' in body
    assert '<span class="label-note">Internal note</span> Ana Silva' in body
    label = EventKind.FIELDS_CHANGED.label
    assert f'<strong>{label}</strong> <span class="by">by Ana Silva' in body


def test_times_read_as_the_date_filter_wrote_them(agent_web, desk_agent, team):
    ticket = make_ticket(team=team, assignee=desk_agent)
    when = timezone.now().replace(month=3, day=7, hour=9, minute=5)
    TicketEvent.objects.create(ticket=ticket, kind=EventKind.ESCALATED, actor=None,
                               before={}, after={}, created_at=when)
    body = agent_web.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    expected = date_filter(timezone.localtime(when), "M j, H:i")
    assert f'<span class="when">{expected}</span> <strong>Escalated</strong> ' \
           f'<span class="by">by System</span>' in body
