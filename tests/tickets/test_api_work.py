import pytest

from tests.conftest import key_client
from tests.tickets.factories import (
    AgentFactory,
    ContactFactory,
    TeamFactory,
    TicketFactory,
)
from tickets.choices import EventKind, MessageKind, TicketStatus
from tickets.models import Message, TicketEvent

pytestmark = pytest.mark.django_db


def test_detail_has_etag_and_stale_patch_is_412(agent_client):
    ticket = TicketFactory()
    etag = agent_client.get(f"/api/v1/tickets/{ticket.pk}/")["ETag"]
    first = agent_client.patch(f"/api/v1/tickets/{ticket.pk}/", {"priority": "P1"},
                               format="json", HTTP_IF_MATCH=etag)
    stale = agent_client.patch(f"/api/v1/tickets/{ticket.pk}/", {"priority": "P4"},
                               format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] != etag
    assert stale.status_code == 412
    ticket.refresh_from_db()
    assert ticket.priority == "P1"


def test_patch_records_priority_and_field_events_with_reason(agent_client):
    ticket = TicketFactory()
    response = agent_client.patch(
        f"/api/v1/tickets/{ticket.pk}/",
        {"priority": "P2", "category": "billing", "tags": ["VIP", "vip"],
         "reason": "customer call"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["category"] == "billing"
    assert response.json()["tags"] == ["vip"]
    events = {event.kind: event for event in TicketEvent.objects.filter(ticket=ticket)}
    assert events[EventKind.PRIORITY_CHANGED].before == {"priority": "P3"}
    assert events[EventKind.PRIORITY_CHANGED].note == "customer call"
    assert events[EventKind.FIELDS_CHANGED].after == {"category": "billing", "tags": ["vip"]}


def test_patch_unknown_category_is_400(agent_client):
    ticket = TicketFactory()
    response = agent_client.patch(f"/api/v1/tickets/{ticket.pk}/", {"category": "nope"},
                                  format="json")
    assert response.status_code == 400
    assert "category" in response.json()


def test_public_reply_counts_first_response_and_note_does_not(agent_client):
    ticket = TicketFactory()
    note = agent_client.post(f"/api/v1/tickets/{ticket.pk}/messages/",
                             {"body": "internal only", "public": False}, format="json")
    ticket.refresh_from_db()
    assert note.status_code == 201
    assert ticket.first_response_at is None
    reply = agent_client.post(f"/api/v1/tickets/{ticket.pk}/messages/",
                              {"body": "We are on it"}, format="json")
    ticket.refresh_from_db()
    assert reply.status_code == 201
    assert reply.json()["type"] == "message"
    assert ticket.first_response_at is not None
    assert (ticket.public_replies, ticket.status) == (1, TicketStatus.OPEN)


def test_reply_with_attachment_is_stored_with_sniffed_type(agent_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = TicketFactory()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    upload = SimpleUploadedFile("shot.txt", png, content_type="text/plain")
    response = agent_client.post(f"/api/v1/tickets/{ticket.pk}/messages/",
                                 {"body": "see attached", "attachments": [upload]},
                                 format="multipart")
    assert response.status_code == 201, response.content
    attachment = response.json()["attachments"][0]
    assert attachment["content_type"] == "image/png"
    assert attachment["size"] == len(png)


def test_status_transitions_and_illegal_one_is_409(agent_client):
    ticket = TicketFactory(status=TicketStatus.OPEN)
    solved = agent_client.post(f"/api/v1/tickets/{ticket.pk}/status/",
                               {"status": "solved", "reason": "fixed"}, format="json")
    reopened = agent_client.post(f"/api/v1/tickets/{ticket.pk}/status/",
                                 {"status": "open"}, format="json")
    illegal = agent_client.post(f"/api/v1/tickets/{ticket.pk}/status/",
                                {"status": "new"}, format="json")
    assert (solved.status_code, reopened.status_code, illegal.status_code) == (200, 200, 409)
    assert illegal.json()["code"] == "invalid_transition"
    ticket.refresh_from_db()
    assert ticket.reopens == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.REOPENED).count() == 1


def test_closed_is_final(agent_client):
    ticket = TicketFactory(status=TicketStatus.SOLVED)
    agent_client.post(f"/api/v1/tickets/{ticket.pk}/status/", {"status": "closed"}, format="json")
    response = agent_client.post(f"/api/v1/tickets/{ticket.pk}/status/", {"status": "open"},
                                 format="json")
    assert response.status_code == 409


def test_assign_to_team_member_records_reason_and_opens(agent_client, agent):
    colleague = AgentFactory()
    team = TeamFactory(members=[agent, colleague])
    ticket = TicketFactory(team=team)
    response = agent_client.post(f"/api/v1/tickets/{ticket.pk}/assign/",
                                 {"assignee": colleague.pk, "reason_code": "skill_match"},
                                 format="json")
    assert response.status_code == 200, response.content
    assert response.json()["assignee"]["id"] == colleague.pk
    assert response.json()["status"] == TicketStatus.OPEN
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ASSIGNED)
    assert (event.reason_code, event.after["assignee"]) == ("skill_match", colleague.pk)


def test_reassignment_is_counted_and_null_clears(agent_client, agent):
    other = AgentFactory()
    team = TeamFactory(members=[agent, other])
    ticket = TicketFactory(team=team, assignee=agent, status=TicketStatus.OPEN)
    agent_client.post(f"/api/v1/tickets/{ticket.pk}/assign/", {"assignee": other.pk},
                      format="json")
    agent_client.post(f"/api/v1/tickets/{ticket.pk}/assign/", {"assignee": None}, format="json")
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert ticket.reassignments == 1


def test_assign_outside_team_is_400(agent_client, agent):
    outsider = AgentFactory()
    team = TeamFactory(members=[agent])
    ticket = TicketFactory(team=team)
    response = agent_client.post(f"/api/v1/tickets/{ticket.pk}/assign/",
                                 {"assignee": outsider.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_assignment"


def test_escalate_records_event(agent_client):
    ticket = TicketFactory()
    response = agent_client.post(f"/api/v1/tickets/{ticket.pk}/escalate/",
                                 {"reason": "CEO is asking"}, format="json")
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.escalated_at is not None
    assert TicketEvent.objects.get(ticket=ticket, kind=EventKind.ESCALATED).note == "CEO is asking"


def test_timeline_is_oldest_first_and_marks_notes(agent_client, agent):
    ticket = TicketFactory()
    Message.objects.create(ticket=ticket, kind=MessageKind.PUBLIC,
                           author_contact=ticket.requester, body="help")
    agent_client.post(f"/api/v1/tickets/{ticket.pk}/messages/", {"body": "n", "public": False},
                      format="json")
    response = agent_client.get(f"/api/v1/tickets/{ticket.pk}/timeline/")
    entries = response.json()["results"]
    assert [entry["type"] for entry in entries] == ["message", "note", "event"]
    assert entries[0]["author"]["type"] == "customer"
    times = [entry["created_at"] for entry in entries]
    assert times == sorted(times)


def test_timeline_query_count_does_not_grow_with_entries(
    agent_client, django_assert_max_num_queries, settings
):
    ticket = TicketFactory()
    contact = ContactFactory()
    for index in range(30):
        Message.objects.create(ticket=ticket, kind=MessageKind.PUBLIC, author_contact=contact,
                               body=f"message {index}")
    with django_assert_max_num_queries(8 + len(settings.HELPDESK_TICKET_PREFETCH)):
        response = agent_client.get(f"/api/v1/tickets/{ticket.pk}/timeline/")
    assert len(response.json()["results"]) == 30


def test_agent_key_acts_with_the_agents_rights(db):
    agent = AgentFactory()
    client, _ = key_client("agent", user=agent)
    ticket = TicketFactory()
    response = client.post(f"/api/v1/tickets/{ticket.pk}/messages/", {"body": "hi"},
                           format="json")
    assert response.status_code == 201
    assert Message.objects.get(ticket=ticket).author_user == agent
