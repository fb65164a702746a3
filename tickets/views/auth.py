"""Sign in and out of the agent workspace, with failed sign-ins throttled in Redis."""

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tickets.views.guards import Rate, client_address, parse_rate


def _keys(request: HttpRequest, username: str, rate: Rate) -> list[str]:
    window = int(time.time() // rate.period)
    address = client_address(request)
    # Per account, so one address cannot guess one password; per address, so one address
    # cannot spray a common password across many accounts.
    return [
        f"login:fail:user:{username.strip().lower()}:{window}",
        f"login:fail:addr:{address}:{window}",
    ]


def _failures(keys: list[str]) -> list[int]:
    values = cache.get_many(keys)
    return [int(values.get(key) or 0) for key in keys]


def _count_failure(keys: list[str], rate: Rate) -> None:
    for key in keys:
        cache.add(key, 0, timeout=rate.period + 1)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: a fresh window
            cache.add(key, 1, timeout=rate.period + 1)


@method_decorator(never_cache, name="dispatch")
class ThrottledLoginView(auth_views.LoginView):
    """Django's LoginView, refusing further attempts after too many failures in a window."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user_rate = parse_rate(settings.HELPDESK_LOGIN_RATE)
        keys = _keys(request, request.POST.get("username", ""), user_rate)
        per_user, per_address = _failures(keys)
        if per_user >= user_rate.count or per_address >= user_rate.count * 4:
            return self._throttled(user_rate)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:
            _count_failure(keys, user_rate)
        else:
            cache.delete(keys[0])
        return response

    def _throttled(self, rate: Rate) -> HttpResponse:
        notice = _(
            "Too many failed sign-ins. Wait %(minutes)d minutes, then try again."
        ) % {"minutes": max(1, rate.period // 60)}
        context = self.get_context_data(form=AuthenticationForm(self.request), notice=notice)
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(rate.period)
        return response


class SignOutView(auth_views.LogoutView):
    """Django's LogoutView: sign-out is a POST from the navigation bar."""
