import pytest
from django.apps import apps

from triage.rulebook import bump_version
from triage.seed import seed_default_rules
from triage.stages import STAGES


@pytest.fixture
def seeded_rules(db):
    """The default rules, as the data migration seeds them (transactional tests flush them)."""
    seed_default_rules(apps)
    bump_version()


@pytest.fixture
def triage_only(settings):
    """Run just the triage stages at intake, so these tests do not depend on routing."""
    settings.HELPDESK_INTAKE_PIPELINE = list(STAGES)
