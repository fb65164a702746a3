import pytest
from django.test import RequestFactory

from tickets.views.guards import client_address


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy trusted: the header is the client's claim
        (1, "203.0.113.9", "203.0.113.9"),  # one proxy: what it appended
        (1, "1.1.1.1, 203.0.113.9", "203.0.113.9"),  # a forged entry left of it is ignored
        (2, "1.1.1.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),  # two proxies: second from right
        (2, "203.0.113.9", "10.0.0.2"),  # fewer entries than proxies: not from our proxies
        (1, "not-an-address", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(settings, proxies, forwarded, expected):
    # given
    settings.HELPDESK_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    # when
    address = client_address(request)
    # then
    assert address == expected
