import pytest
from django.db import transaction

from tests.tickets.factories import TicketFactory
from tickets.choices import EventKind, TicketStatus
from tickets.models import Ticket, TicketEvent
from tickets.services.lifecycle import change_status

pytestmark = pytest.mark.django_db

seen_events: list[tuple[str, int]] = []


def tag_stage(ticket, ctx) -> None:
    """A stage as later issues write them: change the ticket, file a decision."""
    ticket.tags = [*ticket.tags, "piped"]
    ticket.save(update_fields=["tags"])
    ctx.decisions["triage"] = {"category": None, "confidence": 0.0, "needs_review": True,
                               "explanation": "test stage", "in_transaction":
                               transaction.get_connection().in_atomic_block}


def failing_stage(ticket, ctx) -> None:
    raise RuntimeError("stage broke")


def remember_event(event) -> None:
    seen_events.append((event.kind, event.ticket_id))


PAYLOAD = {"subject": "s", "description": "d", "requester": {"email": "a@b.example"}}


def test_stages_run_in_order_inside_the_create_transaction(settings, intake_client):
    settings.HELPDESK_INTAKE_PIPELINE = ["tests.tickets.test_pipeline.tag_stage"]
    response = intake_client.post("/api/v1/tickets/", PAYLOAD, format="json")
    body = response.json()
    assert response.status_code == 201
    assert body["tags"] == ["piped"]
    assert body["triage"]["explanation"] == "test stage"
    assert body["triage"]["in_transaction"] is True


def test_a_failing_stage_rolls_the_whole_intake_back(settings, intake_client):
    settings.HELPDESK_INTAKE_PIPELINE = ["tests.tickets.test_pipeline.failing_stage"]
    intake_client.raise_request_exception = False
    response = intake_client.post("/api/v1/tickets/", PAYLOAD, format="json")
    assert response.status_code == 500
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()


def test_event_handlers_listed_in_settings_get_each_event(settings):
    seen_events.clear()
    settings.HELPDESK_EVENT_HANDLERS = {
        EventKind.STATUS_CHANGED: ["tests.tickets.test_pipeline.remember_event"],
    }
    ticket = TicketFactory(status=TicketStatus.OPEN)
    change_status(ticket=ticket, status=TicketStatus.PENDING, actor=None)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=None)
    assert seen_events == [(EventKind.STATUS_CHANGED, ticket.pk)] * 2
