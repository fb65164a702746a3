from django.urls import path

from reporting.api import ReportApi

app_name = "reporting-api"

urlpatterns = [
    path("<slug:name>/", ReportApi.as_view(), name="report"),
]
