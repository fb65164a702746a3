"""Follow-up in Django admin: rules are versioned and dry-run; records are listed read-only."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from followup.models import FollowupRule
from tests.followup.conftest import make_ticket
from tickets.choices import TicketStatus
from tickets.services.lifecycle import change_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_every_followup_admin_page_opens(admin_client, owner):
    ticket = make_ticket(assignee=owner)
    change_status(ticket=ticket, status=TicketStatus.SOLVED, actor=owner)
    for name in ("followuprule", "followupsettings", "scheduledstep", "checkin",
                 "satisfactionrating", "resolutionsummary"):
        page = admin_client.get(f"/admin/followup/{name}/")
        assert page.status_code == 200, name
    assert admin_client.get("/admin/followup/followuprule/add/").status_code == 200


def test_rule_edit_is_versioned_and_validated(admin_client):
    rule = FollowupRule.objects.get(trigger="pending", kind="chase")
    data = {
        "name": rule.name, "explanation": rule.explanation, "kind": "chase",
        "trigger": "pending", "order": 100, "enabled": "on", "condition": "{}",
        "reminder_after": "1 00:00:00", "reminder_text": "Still there?",
        "close_after": "2 00:00:00", "close_text": "Closed; reply to reopen.",
        "checkin_after": "", "checkin_note": "",
    }
    saved = admin_client.post(f"/admin/followup/followuprule/{rule.pk}/change/", data)
    assert saved.status_code == 302
    rule.refresh_from_db()
    assert rule.reminder_after == timedelta(days=1)
    version = rule.history.latest()
    assert (version.reminder_after, version.history_user.username) == (timedelta(days=1), "root")

    # a close before the reminder is refused with a message, not saved
    bad = admin_client.post(f"/admin/followup/followuprule/{rule.pk}/change/",
                            {**data, "close_after": "0 12:00:00"})
    assert bad.status_code == 200
    assert b"Close after the reminder" in bad.content

    dry = admin_client.post("/admin/followup/followuprule/", {
        "action": "dry_run_rules", "_selected_action": [rule.pk]})
    assert dry.status_code == 200
