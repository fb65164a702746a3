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


def test_a_held_copy_is_used_at_once_and_confirmed_while_the_token_is_unchanged(rules):
    # given a thread that holds the rules
    cache_of_rules, loads = rules
    assert cache_of_rules.optimistic() is None  # nothing held yet: nothing to use early
    held = cache_of_rules.current()
    # when it uses its copy before Redis answers
    unconfirmed = cache_of_rules.optimistic()
    # then the copy is the one held, confirmed once the token is read, with no reload
    assert unconfirmed.rules == held
    assert unconfirmed.confirmed()
    assert len(loads) == 1


def test_a_held_copy_is_not_confirmed_after_an_edit_and_current_reloads(rules):
    # given a thread that holds the rules, then an admin's edit published elsewhere
    cache_of_rules, loads = rules
    held = cache_of_rules.current()
    cache_of_rules.publish()
    # when it uses its copy before Redis answers
    unconfirmed = cache_of_rules.optimistic()
    # then the early copy is refused, and the work is done again with fresh rules
    assert not unconfirmed.confirmed()
    assert cache_of_rules.current() != held
    assert len(loads) == 2


def test_an_abandoned_check_leaves_the_cache_usable(rules):
    # given a check whose work failed before the token was read
    cache_of_rules, _loads = rules
    cache_of_rules.current()
    cache_of_rules.optimistic().abandon()
    # then the next reads of the token still answer, in order
    assert cache_of_rules.optimistic().confirmed()
    assert cache_of_rules.optimistic().confirmed()
