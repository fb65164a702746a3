import pytest

from tickets.rule_cache import VersionedRules


@pytest.fixture
def rules():
    loads: list[str] = []

    def load(version: str) -> str:
        loads.append(version)
        return f"rules@{version}"

    return VersionedRules("test:rules", load), loads


def test_rules_load_once_until_the_token_changes(rules):
    cache_of_rules, loads = rules
    first = cache_of_rules.current()
    assert cache_of_rules.current() == first
    assert len(loads) == 1
    cache_of_rules.publish()
    assert cache_of_rules.current() != first
    assert len(loads) == 2


@pytest.mark.django_db
def test_an_uncommitted_edit_is_read_afresh_then_published_on_commit(
    rules, django_capture_on_commit_callbacks
):
    cache_of_rules, loads = rules
    cache_of_rules.current()
    with django_capture_on_commit_callbacks(execute=True):
        cache_of_rules.invalidate()
        cache_of_rules.current()
        cache_of_rules.current()
        assert len(loads) == 3  # provisional: nobody keeps rows that might roll back
    cache_of_rules.current()
    cache_of_rules.current()
    assert len(loads) == 4  # published: one reload, then the copy is kept
