"""Concurrent intakes never push an agent past capacity: real threads, real connections."""

import threading

import pytest
from django.db import connections

from routing.models import RoutingDecision
from tests.routing.factories import RoutingRuleFactory, agent_in, team_name
from tests.tickets.factories import ContactFactory, TeamFactory
from tickets.models import Ticket
from tickets.services.intake import NewTicket, create_ticket

PARALLEL = 8
_inside = threading.Barrier(PARALLEL)


def all_inside(ticket, ctx) -> None:
    """A stage before routing that waits until every intake's transaction is open."""
    _inside.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_eight_parallel_intakes_for_one_free_slot_give_it_to_exactly_one(settings):
    # given: one agent with exactly one free slot, and eight intakes that all reach routing
    # while the others' transactions are still open, so none can see another's assignment
    # Only routing runs after the rendezvous: this proves routing's own guarantee, whatever
    # earlier stages happen to serialise.
    settings.HELPDESK_INTAKE_PIPELINE = [
        "tests.routing.test_concurrency.all_inside", "routing.stages.route"
    ]
    _inside.reset()
    support = TeamFactory(name=team_name("Support"))
    RoutingRuleFactory(team=support)
    agent = agent_in(support, capacity=1)
    emails = [ContactFactory.build().email for _ in range(PARALLEL)]
    start = threading.Barrier(PARALLEL)
    errors: list[BaseException] = []

    def intake(email: str) -> None:
        # Each thread has its own database connection (Django's are per thread).
        try:
            start.wait(timeout=30)
            create_ticket(
                request=NewTicket(subject="Help", description="Now", requester_email=email)
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    # when
    threads = [threading.Thread(target=intake, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then
    assert errors == []
    # Scoped to this test's tickets: other sessions may share the test database.
    tickets = Ticket.objects.filter(requester__email__in=emails)
    assert tickets.count() == PARALLEL
    assert tickets.filter(assignee=agent).count() == 1
    assert tickets.filter(assignee__isnull=True, team=support).count() == PARALLEL - 1
    decisions = RoutingDecision.objects.filter(ticket__in=tickets, fallback="at_capacity")
    assert decisions.count() == PARALLEL - 1
