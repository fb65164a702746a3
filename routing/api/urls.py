from django.urls import path

from routing.api.views import RoutingPreviewApi

app_name = "routing-api"

urlpatterns = [
    path("preview/", RoutingPreviewApi.as_view(), name="preview"),
]
