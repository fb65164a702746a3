"""Signed-in test clients for the agent pages."""

from django.test import Client


def signed_in(user, **kwargs) -> Client:
    """A browser-like client with the user's session, as after signing in."""
    client = Client(**kwargs)
    client.force_login(user)
    return client
