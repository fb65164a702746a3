"""The rows every routing decision rewrites leave room on their pages for the next version."""

import pytest
from django.db import connection

from routing.models import AgentLoad, AgentProfile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [AgentProfile, AgentLoad])
def test_agent_rows_are_stored_with_room_for_heap_only_updates(model):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s",
                       [model._meta.db_table])
        (options,) = cursor.fetchone()
    assert "fillfactor=50" in (options or [])
