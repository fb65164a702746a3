"""Follow-up pages: the customer's signed-link pages and the agent's check-ins and actions."""

from django.urls import path

from followup.views import agent, public

app_name = "followup"

urlpatterns = [
    path("support/tickets/<str:token>/", public.customer_ticket, name="customer-ticket"),
    path("support/tickets/<str:token>/reply/", public.customer_reply, name="customer-reply"),
    path("support/tickets/<str:token>/reopen/", public.customer_reopen, name="customer-reopen"),
    path("support/feedback/<str:token>/", public.survey, name="survey"),
    path("support/feedback/<str:token>/<int:score>/", public.rate, name="rate"),
    path("agent/check-ins/", agent.checkin_list, name="checkins"),
    path("agent/check-ins/<int:checkin_id>/close/", agent.checkin_close, name="checkin-close"),
    path("agent/tickets/<int:ticket_id>/follow-up/summary/", agent.summary_save,
         name="summary-save"),
    path("agent/tickets/<int:ticket_id>/follow-up/steps/<int:step_id>/cancel/",
         agent.step_cancel, name="step-cancel"),
]
