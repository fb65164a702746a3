"""Public pages of the tickets app, mounted at the site root."""

from django.urls import path

from tickets.views import public

app_name = "tickets"

urlpatterns = [
    path("support/new/", public.request_new, name="request-new"),
    path("support/submitted/", public.request_received, name="request-received"),
    path("support/submitted/<str:token>/", public.request_submitted, name="request-submitted"),
]
