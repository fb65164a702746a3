"""API keys are read from the cache after first use, and every way of ending a key ends it."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.admin.sites import site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import key_client
from tickets.models import ApiKey

pytestmark = pytest.mark.django_db

LIST = "/api/v1/tickets/"


def _key_reads(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get(LIST).status_code
    return status, sum('FROM "tickets_apikey"' in q["sql"] for q in captured.captured_queries)


def test_a_used_key_is_not_read_from_the_database_again():
    # given: a key that has authenticated once
    client, _ = key_client("read")
    assert _key_reads(client) == (200, 1)
    # when / then: the next requests authenticate without reading the key's row
    assert _key_reads(client) == (200, 0)
    assert _key_reads(client) == (200, 0)


def test_revoking_a_cached_key_refuses_it_at_once():
    client, key = key_client("read")
    assert client.get(LIST).status_code == 200
    key.revoked_at = timezone.now()
    key.save()
    assert client.get(LIST).status_code == 401


def test_the_admin_revoke_action_refuses_a_cached_key_at_once(rf):
    client, key = key_client("read")
    assert client.get(LIST).status_code == 200
    site._registry[ApiKey].revoke(rf.post("/"), ApiKey.objects.filter(pk=key.pk))
    assert client.get(LIST).status_code == 401


def test_deactivating_the_keys_user_refuses_it_at_once():
    client, key = key_client("read")
    assert client.get(LIST).status_code == 200
    key.user.is_active = False
    key.user.save()
    assert client.get(LIST).status_code == 401


def test_deleting_a_cached_key_refuses_it_at_once():
    client, key = key_client("read")
    assert client.get(LIST).status_code == 200
    key.delete()
    assert client.get(LIST).status_code == 401


def test_last_use_is_still_stamped_once_a_minute_from_the_cache():
    # given: a key used at 10:00 and cached with that stamp
    client, key = key_client("read")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(LIST)
    key.refresh_from_db()
    assert key.last_used_at == start
    # when: used again within the minute, then after it
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get(LIST)
    key.refresh_from_db()
    assert key.last_used_at == start
    later = start + timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        client.get(LIST)
    # then: the stamp moved once, and the cached copy carries it (no write the next request)
    key.refresh_from_db()
    assert key.last_used_at == later
    with (time_machine.travel(later + timedelta(seconds=10), tick=False),
          CaptureQueriesContext(connection) as captured):
        client.get(LIST)
    assert not any("tickets_apikey" in q["sql"] for q in captured.captured_queries)
