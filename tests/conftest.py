import shutil

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from routing.snapshot import snapshots
from tests.tickets.factories import AgentFactory, ManagerFactory
from tickets.roles import seed_roles_and_categories
from tickets.services.keys import create_api_key


@pytest.fixture(autouse=True)
def _clean_redis_and_media():
    cache.clear()  # the test profile points the cache at a Redis database of its own
    # A rolled-back test restores the token routing's held copy was checked against.
    snapshots.forget()
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def cookie_sessions(settings):
    # Every engineer's test run shares one Redis and flushes it per test; cookie sessions
    # keep a concurrent flush from signing a page test's user out.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A reused test database may have been flushed by a transactional test; reseed it."""
    from django.apps import apps

    with django_db_blocker.unblock():
        seed_roles_and_categories(apps)


@pytest.fixture(autouse=True)
def _roles(request):
    """Transactional tests flush the tables that migrations seeded; put the roles back."""
    if "transactional_db" not in request.fixturenames and "live_server" not in request.fixturenames:
        marker = request.node.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction"):
            return
    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name="Agent").exists():
        seed_roles_and_categories(apps)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def agent(db):
    return AgentFactory()


@pytest.fixture
def manager(db):
    return ManagerFactory()


@pytest.fixture
def agent_client(agent) -> APIClient:
    client = APIClient()
    client.force_authenticate(agent)
    return client


@pytest.fixture
def manager_client(manager) -> APIClient:
    client = APIClient()
    client.force_authenticate(manager)
    return client


def key_client(*scopes: str, user=None) -> tuple[APIClient, object]:
    key, raw = create_api_key(name=f"test-{'-'.join(scopes)}", scopes=list(scopes), user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client, key


@pytest.fixture
def intake_client(db) -> APIClient:
    return key_client("intake")[0]


@pytest.fixture
def read_client(db) -> APIClient:
    return key_client("read")[0]
