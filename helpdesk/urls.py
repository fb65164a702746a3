from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/routing/", include("routing.api.urls")),
    path("api/v1/reports/", include("reporting.api_urls")),
    path("api/v1/", include("tickets.api.urls")),
    path("agent/notifications/", include("escalation.notifications.urls")),
    path("agent/escalations/", include("escalation.escalations.urls")),
    path("agent/triage/", include("triage.urls")),
    path("agent/routing/", include("routing.urls")),
    path("", include("helpdesk.health")),
    path("", include("tickets.urls")),
    path("", include("followup.urls")),  # customers' signed-link pages and agents' check-ins
    path("agent/", include("reporting.urls")),
    # People who type the bare address are agents; the workspace sends others to sign in.
    path("", RedirectView.as_view(pattern_name="tickets:workspace"), name="home"),
]

handler404 = "helpdesk.errors.not_found"
handler500 = "helpdesk.errors.server_error"
