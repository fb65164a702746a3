from django.core.cache import cache


def test_cache_reuses_one_client_per_pool_and_still_works():
    first = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is first
    cache.set("reuse-check", 41)
    assert cache.incr("reuse-check") == 42
