from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/routing/", include("routing.api.urls")),
    path("api/v1/", include("tickets.api.urls")),
    path("", include("helpdesk.health")),
    path("", include("tickets.urls")),
]

handler404 = "helpdesk.errors.not_found"
handler500 = "helpdesk.errors.server_error"
