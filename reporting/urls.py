from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("reports/", views.reports_home, name="home"),
    path("reports/glossary/", views.glossary, name="glossary"),
    path("reports/<slug:slug>/", views.dashboard_page, name="dashboard"),
    path("reports/<slug:slug>/<slug:table>.csv", views.table_csv, name="table-csv"),
]
