from datetime import timedelta

import pytest
from django.contrib.admin import AdminSite
from django.core.exceptions import ValidationError
from django.test.utils import isolate_apps
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from tests.tickets.factories import (
    ContactFactory,
    OrganizationFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from tickets.admin_rules import (
    INVALID_CONDITION,
    RuleAdminMixin,
    condition_help_text,
    describe_condition,
    dry_run_rule,
)
from tickets.choices import Priority, Tier
from tickets.conditions.dry_run import MAX_EXAMPLES, DryRunMatch, dry_run
from tickets.models import Ticket
from tickets.models.rules import Rule

pytestmark = pytest.mark.django_db

P1 = {"field": "ticket.priority", "op": "equals", "value": "P1"}


def tickets_created(*priorities: str, start_in_days: int = 0) -> list[Ticket]:
    """Create one ticket per priority, each a minute newer than the one before."""
    start = timezone.now() + timedelta(days=start_in_days)
    return [
        TicketFactory(priority=priority, created_at=start + timedelta(minutes=minute))
        for minute, priority in enumerate(priorities)
    ]


def only(tickets: list[Ticket]):
    # Other suites may commit tickets to the shared test database meanwhile; look at ours.
    return Ticket.objects.filter(pk__in=[ticket.pk for ticket in tickets])


def test_dry_run_counts_matches_and_explains_them_newest_first():
    # given
    tickets = tickets_created("P1", "P3", "P1", "P2")
    old_p1, new_p1 = tickets[0], tickets[2]

    # when
    result = dry_run(condition=P1, tickets=only(tickets))

    # then
    assert (result.matched, result.examined) == (2, 4)
    assert result.examples == (
        DryRunMatch(id=new_p1.pk, reference=new_p1.reference, subject=new_p1.subject,
                    reasons=("priority is P1",)),
        DryRunMatch(id=old_p1.pk, reference=old_p1.reference, subject=old_p1.subject,
                    reasons=("priority is P1",)),
    )


def test_dry_run_examines_only_the_newest_tickets_by_default():
    # given tickets newer than any other suite's, the oldest of them a P1
    tickets_created("P1", "P3", "P3", start_in_days=1)

    # when
    result = dry_run(condition=P1, limit=2)

    # then the P1 is third newest, outside the window
    assert (result.matched, result.examined) == (0, 2)
    assert dry_run(condition=P1, limit=3).matched == 1


def test_dry_run_keeps_at_most_twenty_examples():
    tickets = TicketFactory.create_batch(MAX_EXAMPLES + 5, priority=Priority.P1)

    result = dry_run(condition=P1, tickets=only(tickets))

    assert (result.matched, result.examined) == (MAX_EXAMPLES + 5, MAX_EXAMPLES + 5)
    assert len(result.examples) == MAX_EXAMPLES


def test_dry_run_reads_tickets_and_their_relations_in_one_query(django_assert_num_queries):
    # given tickets whose facts read every relation
    organization, team = OrganizationFactory(tier=Tier.ENTERPRISE), TeamFactory(name="Tier 2")
    tickets = [
        TicketFactory(organization=organization, team=team, requester=ContactFactory(),
                      assignee=UserFactory())
        for _ in range(5)
    ]
    condition = {
        "all": [
            {"field": "organization.tier", "op": "equals", "value": "enterprise"},
            {"field": "ticket.team", "op": "equals", "value": "tier 2"},
            {"field": "ticket.assignee", "op": "is_not_empty"},
            {"field": "requester.domain", "op": "equals", "value": "customer.example"},
        ]
    }
    queryset = only(tickets)

    # when
    with django_assert_num_queries(1):
        result = dry_run(condition=condition, tickets=queryset)

    # then
    assert (result.matched, result.examined) == (5, 5)


def test_an_empty_condition_matches_every_ticket_for_no_particular_reason():
    tickets = tickets_created("P2", "P4")

    result = dry_run(condition={}, tickets=only(tickets))

    assert result.matched == 2
    assert [match.reasons for match in result.examples] == [(), ()]


def test_dry_run_rejects_a_malformed_condition_before_querying(django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(ValidationError, match="unknown field"):
        dry_run(condition={"field": "ticket.nope", "op": "equals", "value": "x"})


def test_dry_run_needs_a_positive_limit():
    with pytest.raises(ValueError, match="at least 1"):
        dry_run(condition=P1, limit=0)


# The admin mixin


def test_the_condition_is_listed_in_words_even_when_invalid():
    assert describe_condition({"any": [P1, {"not": P1}]}) == (
        "priority is P1 or not (priority is P1)"
    )
    assert describe_condition({}) == "always"
    assert describe_condition({"field": "ticket.nope", "op": "equals", "value": 1}) == (
        INVALID_CONDITION
    )


def test_the_condition_help_shows_the_json_format_and_every_field():
    text = str(condition_help_text())

    assert '<code>{"field": "ticket.priority", "op": "equals", "value": "P1"}</code>' in text
    assert '<code>{"all": [...]}</code>' in text
    assert "<code>ticket.custom_fields.&lt;key&gt;</code>" in text
    assert "<code>organization.renewal_date</code>" in text
    assert "<code>is_not_empty</code>" in text


def test_a_rule_with_an_invalid_condition_reports_why_instead_of_running():
    run = dry_run_rule(name="Broken", condition={"all": []})

    assert run.result is None
    assert run.condition_text == INVALID_CONDITION
    assert "all: needs at least one condition" in run.error


@pytest.fixture
def rule_admin():
    """Yield the admin of a rule model that exists only in an isolated app registry."""
    with isolate_apps("tickets"):

        class SampleRule(Rule):
            class Meta(Rule.Meta):
                app_label = "tickets"

        class SampleRuleAdmin(RuleAdminMixin, SimpleHistoryAdmin):
            pass

        yield SampleRuleAdmin(SampleRule, AdminSite())


def test_the_mixin_passes_the_admin_checks_with_history(rule_admin):
    assert rule_admin.check() == []
    assert rule_admin.get_readonly_fields(None) == ("fired_count", "condition_in_words")


def test_the_condition_field_carries_the_help(rule_admin, rf):
    field = rule_admin.model._meta.get_field("condition")

    formfield = rule_admin.formfield_for_dbfield(field, rf.get("/"))

    assert formfield.help_text == condition_help_text()


def test_the_dry_run_action_shows_matching_tickets(rule_admin, rf):
    # given a saved P1 ticket and two rules, one of them invalid
    ticket = TicketFactory(priority=Priority.P1, created_at=timezone.now() + timedelta(days=1))
    rules = [
        rule_admin.model(name="Urgent first", condition=P1),
        rule_admin.model(name="Broken", condition={"not": []}),
    ]
    request = rf.post("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)

    # when
    response = rule_admin.dry_run_rules(request, rules)
    content = response.render().content.decode()

    # then
    assert response.template_name == "admin/rules/dry_run.html"
    assert [run.name for run in response.context_data["runs"]] == ["Urgent first", "Broken"]
    assert f'href="/admin/tickets/ticket/{ticket.pk}/change/">{ticket.reference}</a>' in content
    assert "priority is P1" in content
    assert "not: must be an object" in content
