"""Pages of the tickets app, mounted at the site root: the public form and the agent workspace."""

from django.urls import path

from tickets.views import attachments, auth, bulk, knowledge, public, queues, ticket_page

app_name = "tickets"

urlpatterns = [
    path("support/new/", public.request_new, name="request-new"),
    path("support/submitted/", public.request_received, name="request-received"),
    path("support/submitted/<str:token>/", public.request_submitted, name="request-submitted"),
    path("help/articles/<int:article_id>/", knowledge.help_article, name="help-article"),
    # The agent workspace.
    path("login/", auth.ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth.SignOutView.as_view(), name="logout"),
    path("agent/", queues.workspace_home, name="workspace"),
    path("agent/queues/<slug:slug>/", queues.queue_list, name="queue"),
    path("agent/bulk/", bulk.queue_bulk, name="bulk"),
    path("agent/next/", queues.queue_next, name="next"),
    path("agent/tickets/<int:ticket_id>/", ticket_page.ticket_detail, name="ticket"),
    path("agent/tickets/<int:ticket_id>/reply/", ticket_page.ticket_reply, name="ticket-reply"),
    path("agent/tickets/<int:ticket_id>/update/", ticket_page.ticket_update,
         name="ticket-update"),
    path("agent/tickets/<int:ticket_id>/assign-me/", ticket_page.ticket_assign_me,
         name="ticket-assign-me"),
    path("agent/tickets/<int:ticket_id>/presence/", ticket_page.ticket_presence,
         name="ticket-presence"),
    path("agent/tickets/<int:ticket_id>/macros/<int:macro_id>/", knowledge.macro_preview,
         name="macro-preview"),
    path("agent/tickets/<int:ticket_id>/articles/<int:article_id>/use/", knowledge.article_use,
         name="article-use"),
    path("agent/articles/<int:article_id>/", knowledge.article_detail, name="article"),
    path("agent/attachments/<int:attachment_id>/", attachments.attachment_download,
         name="attachment"),
]
