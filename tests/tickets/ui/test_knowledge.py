import pytest
from django.template import TemplateSyntaxError

from tests.tickets.ui.conftest import make_ticket
from tickets.macros import check_macro_body, render_macro
from tickets.models import ArticleUse, KnowledgeArticle, Macro
from tickets.rendering import render_markdown

pytestmark = pytest.mark.django_db


def test_markdown_is_sanitised_and_links_limited_to_web_and_mail():
    html = render_markdown(
        "# Reset\n[ok](https://example.com) [mail](mailto:a@b.example) "
        "[bad](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)>"
    )
    assert "<h1>Reset</h1>" in html
    assert 'href="https://example.com"' in html
    assert 'href="mailto:a@b.example"' in html
    assert "javascript:" not in html
    assert "<script" not in html
    assert "onerror" not in html


def test_macros_see_only_plain_values(desk_agent, team):
    ticket = make_ticket(team=team)
    macro = Macro(name="m", body="{{ requester.email }}|{{ requester.organization }}|"
                                 "{{ ticket.requester.api_keys }}|{{ ticket.pk }}")
    assert render_macro(macro=macro, ticket=ticket, agent=desk_agent) == (
        f"{ticket.requester.email}|||"
    )
    for forbidden in ("{% debug %}", "{% load static %}", "{% include 'base.html' %}"):
        with pytest.raises(TemplateSyntaxError):
            check_macro_body(forbidden)


def test_suggestions_match_the_ticket_and_record_use(agent_web, desk_agent, team):
    # given
    ticket = make_ticket(team=team, assignee=desk_agent, subject="Refund for a duplicate charge",
                         description="I was charged twice for my invoice and want a refund.")
    refund = KnowledgeArticle.objects.create(
        title="How refunds work", body="Refunds for duplicate charges take 5 days.")
    runbook = KnowledgeArticle.objects.create(
        title="Duplicate charge runbook", body="Check the invoice ledger.", internal=True)
    KnowledgeArticle.objects.create(title="Exporting reports", body="Use the CSV button.")
    # when
    page = agent_web.get(f"/agent/tickets/{ticket.pk}/")
    link = agent_web.post(f"/agent/tickets/{ticket.pk}/articles/{refund.pk}/use/",
                          {"mode": "link"})
    internal_link = agent_web.post(f"/agent/tickets/{ticket.pk}/articles/{runbook.pk}/use/",
                                   {"mode": "link"})
    text = agent_web.post(f"/agent/tickets/{ticket.pk}/articles/{runbook.pk}/use/",
                          {"mode": "text"})
    # then
    assert {a.pk for a in page.context["articles"]} == {refund.pk, runbook.pk}
    assert link.content.decode().endswith(f"/help/articles/{refund.pk}/")
    assert internal_link.status_code == 404
    assert text.content.decode() == "Check the invoice ledger."
    assert sorted(ArticleUse.objects.values_list("mode", flat=True)) == ["link", "text"]


def test_public_article_page_hides_runbooks(client):
    public = KnowledgeArticle.objects.create(title="Refunds", body="[x](javascript:alert(1))")
    internal = KnowledgeArticle.objects.create(title="Runbook", body="secret", internal=True)
    response = client.get(f"/help/articles/{public.pk}/")
    assert response.status_code == 200
    assert b"javascript:" not in response.content
    assert client.get(f"/help/articles/{internal.pk}/").status_code == 404
