"""CSAT: sampling and exclusions, one-click signed links, changeable ratings, low ratings."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from escalation.notifications.models import Notification
from followup.choices import Step, StepReason, StepState, SurveyScale
from followup.models import SatisfactionRating, ScheduledStep
from followup.services.solving import survey_bucket
from tests.followup.conftest import make_ticket, sweep_and_send
from tests.tickets.factories import ContactFactory, OrganizationFactory
from tickets.choices import Channel, EventKind, TicketStatus, Tier
from tickets.conditions import evaluate, ticket_facts
from tickets.models import OutboundEmail, Ticket
from tickets.services.lifecycle import change_status

pytestmark = pytest.mark.django_db


def _solve(ticket, owner):
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    return ScheduledStep.objects.get(ticket=ticket, step=Step.SURVEY)


def _survey_links(ticket) -> dict[str, str]:
    body = OutboundEmail.objects.get(ticket=ticket, kind=OutboundEmail.Kind.SURVEY).body
    return dict(re.findall(r"^(Good|Bad|\d of 5): +(http\S+)$", body, flags=re.MULTILINE))


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_sample_is_a_stable_hash_of_the_ticket_id(owner, followup_settings):
    # given: a ticket whose place in the sample is b
    ticket = make_ticket(assignee=owner)
    bucket = survey_bucket(ticket.pk)
    assert bucket == survey_bucket(ticket.pk)

    # when: the sample is b percent, then: it is just outside
    followup_settings.survey_sample_percent = bucket
    followup_settings.save()
    step = _solve(ticket, owner)
    assert (step.state, step.reason) == (StepState.SKIPPED, StepReason.NOT_SAMPLED)

    # when: one more percent, then: it is in
    change_status(ticket=ticket, status=TicketStatus.OPEN, actor=owner)
    followup_settings.survey_sample_percent = bucket + 1
    followup_settings.save()
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    assert ScheduledStep.objects.get(ticket=ticket, step=Step.SURVEY,
                                     state=StepState.PENDING)


def test_sample_share_over_many_ids():
    # 1000 consecutive ids land in the buckets evenly: 30 % picks 30 % +- 3 points
    picked = sum(survey_bucket(pk) < 30 for pk in range(1, 1001))
    assert 270 <= picked <= 330


@pytest.mark.parametrize(("fields", "reason"), [
    ({"tags": ["Spam"]}, StepReason.EXCLUDED),
    ({"tags": ["merged"]}, StepReason.EXCLUDED),
    ({"channel": Channel.INTERNAL}, StepReason.EXCLUDED),
    ({"tier": Tier.INTERNAL}, StepReason.EXCLUDED),
])
def test_spam_merged_and_internal_tickets_get_no_survey(owner, followup_settings, fields,
                                                         reason):
    organization = OrganizationFactory(tier=fields.pop("tier", Tier.SMB))
    ticket = make_ticket(assignee=owner, organization=organization, **fields)
    step = _solve(ticket, owner)
    assert (step.state, step.reason) == (StepState.SKIPPED, reason)


def test_contact_surveyed_within_cooldown_gets_no_second_survey(clock, owner,
                                                                followup_settings):
    # given: a contact surveyed at T0+1h
    contact = ContactFactory()
    first = make_ticket(assignee=owner, requester=contact)
    _solve(first, owner)
    clock.after(hours=1, minutes=1)
    sweep_and_send()
    assert OutboundEmail.objects.filter(ticket=first, kind="survey").count() == 1

    # when: another ticket of theirs is solved 29 days later, then: no survey
    clock.after(days=29)
    second = make_ticket(assignee=owner, requester=contact)
    assert _solve(second, owner).reason == StepReason.RECENTLY_SURVEYED

    # when: a third is solved 31 days later, then: surveyed
    clock.after(days=31)
    third = make_ticket(assignee=owner, requester=contact)
    assert _solve(third, owner).state == StepState.PENDING


def test_one_click_rating_then_comment_then_change(clock, owner, team, followup_settings):
    # given: a survey emailed an hour after solve
    ticket = make_ticket(assignee=owner, team=team)
    _solve(ticket, owner)
    clock.after(hours=1, minutes=1)
    sweep_and_send()
    links = _survey_links(ticket)
    assert set(links) == {"Good", "Bad"}
    client = Client()

    # when: the customer clicks "Good"; the page posts it (rate.js, or its button)
    page = client.get(_path(links["Good"]))
    assert page.status_code == 200
    assert b'id="rate-form"' in page.content
    assert b'value="5"' in page.content
    assert not SatisfactionRating.objects.exists()  # a GET alone never rates
    action = re.search(rb'action="([^"]+)"', page.content).group(1).decode()
    done = client.post(action, {"score": "5"})

    # then: rated good, on the timeline
    assert done.status_code == 302
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert (rating.score, rating.scale, rating.contact) == (5, SurveyScale.GOOD_BAD,
                                                           ticket.requester)
    assert ticket.events.get(kind=EventKind.SATISFACTION_RATED).after["score"] == 5

    # when: they add a comment, then change their mind to "Bad" five days later
    client.post(action, {"score": "5", "comment": "<script>x</script> quick!"})
    clock.after(days=5)
    client.post(action, {"score": "1", "comment": "It broke again."})

    # then: one rating, changed; three events; the team lead is told once
    rating.refresh_from_db()
    assert (rating.score, rating.comment) == (1, "It broke again.")
    assert ticket.events.filter(kind=EventKind.SATISFACTION_RATED).count() == 3
    (told,) = Notification.objects.filter(kind="low_satisfaction", ticket=ticket)
    assert told.recipient == team.lead
    # and: the rating is a fact for escalation rules
    facts = ticket_facts(Ticket.objects.get(pk=ticket.pk))
    assert facts["csat.rating"] == 1
    assert evaluate({"field": "csat.rating", "op": "lte", "value": 2}, facts=facts)


def test_survey_page_escapes_the_stored_comment(owner, followup_settings):
    ticket = make_ticket(assignee=owner)
    _solve(ticket, owner)
    from followup.links import SURVEY_SALT, make_token

    token = make_token(ticket=ticket, salt=SURVEY_SALT)
    Client().post(f"/support/feedback/{token}/", {"score": "5", "comment": "<script>x</script>"})
    page = Client().get(f"/support/feedback/{token}/")
    assert b"<script>x</script>" not in page.content
    assert b"&lt;script&gt;x&lt;/script&gt;" in page.content
    assert SatisfactionRating.objects.get(ticket=ticket).comment == "<script>x</script>"


def test_expired_and_forged_links_get_a_friendly_page(clock, owner, followup_settings):
    # given: a survey link
    ticket = make_ticket(assignee=owner)
    _solve(ticket, owner)
    clock.after(hours=1, minutes=1)
    sweep_and_send()
    good = _path(_survey_links(ticket)["Good"])
    token = good.split("/")[3]
    client = Client()

    # when: the link is forged (another ticket's id, a changed signature) or truncated
    for path in (good.replace(token, token[:-3] + "abc"), good.replace(token, "x"),
                 f"/support/feedback/{token[:20]}/"):
        page = client.get(path)
        # then: 400 with a page that explains
        assert page.status_code == 400, path
        assert b"This link is not valid" in page.content

    # when: the link is older than its 14 days, then: 410, and a post is refused too
    clock.after(days=14, hours=2)
    assert client.get(good).status_code == 410
    refused = client.post(f"/support/feedback/{token}/", {"score": "1"})
    assert refused.status_code == 410
    assert b"expired" in refused.content
    assert not SatisfactionRating.objects.exists()


def test_bad_score_is_a_400_not_a_500(owner, followup_settings):
    ticket = make_ticket(assignee=owner)
    _solve(ticket, owner)
    from followup.links import SURVEY_SALT, make_token

    token = make_token(ticket=ticket, salt=SURVEY_SALT)
    assert Client().get(f"/support/feedback/{token}/3/").status_code == 400  # good/bad only
    assert Client().post(f"/support/feedback/{token}/", {"score": "9"}).status_code == 400
    assert Client().post(f"/support/feedback/{token}/", {"nps": "x"}).status_code == 400


def test_nps_question_only_for_listed_tiers(owner, followup_settings):
    from followup.links import SURVEY_SALT, make_token

    followup_settings.nps_tiers = [Tier.ENTERPRISE]
    followup_settings.save()
    enterprise = make_ticket(assignee=owner,
                             organization=OrganizationFactory(tier=Tier.ENTERPRISE))
    smb = make_ticket(assignee=owner, organization=OrganizationFactory(tier=Tier.SMB))
    for ticket in (enterprise, smb):
        _solve(ticket, owner)
        token = make_token(ticket=ticket, salt=SURVEY_SALT)
        Client().post(f"/support/feedback/{token}/", {"score": "5", "nps": "9"})
        page = Client().get(f"/support/feedback/{token}/")
        assert (b'name="nps"' in page.content) is (ticket == enterprise)
    assert SatisfactionRating.objects.get(ticket=enterprise).nps == 9
    assert SatisfactionRating.objects.get(ticket=smb).nps is None


def test_survey_is_cancelled_when_the_ticket_reopens_before_it_goes(clock, owner,
                                                                   followup_settings):
    ticket = make_ticket(assignee=owner)
    step = _solve(ticket, owner)
    change_status(ticket=ticket, status=TicketStatus.OPEN, actor=owner)
    step.refresh_from_db()
    assert step.state == StepState.CANCELLED
    clock.after(hours=2)
    assert sweep_and_send() == {}
    assert timedelta(hours=1) == step.due_at - step.clock_start


def test_without_a_saved_settings_row_the_survey_waits_the_default_hour(owner):
    # given no settings saved by an admin (the defaults apply)
    from followup.models import FollowupSettings

    FollowupSettings.objects.all().delete()
    ticket = make_ticket(assignee=owner)
    # when the ticket is solved
    step = _solve(ticket, owner)
    # then the survey is due an hour after the solve
    ticket.refresh_from_db()
    assert step.due_at - ticket.solved_at == timedelta(hours=1)
