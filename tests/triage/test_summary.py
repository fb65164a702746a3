"""The extractive summary of long messages: key sentences beside the verbatim original."""

import pytest

from tests.tickets.factories import AgentFactory, TeamFactory
from tests.tickets.ui.conftest import signed_in
from tickets.models import Ticket
from triage import summary
from triage.models import TriageDecision

from .helpers import intake

LONG_EMAIL = """Hi team,

I hope you are well. I am writing because our nightly export to the data warehouse has failed
three nights in a row. The export job stops at about 40% with the error ERR_EXPORT_TIMEOUT and
nothing is written to the bucket. We did not change anything on our side; the same export
worked every night for the past year. Our finance team depends on this export for the
month-end close, which starts on Friday. I tried to run the export manually from the reports
page and it failed again with the same timeout error after twenty minutes. Could you please
look at the export job for our account and tell us what changed? If there is a workaround,
such as splitting the export into smaller ranges, we are happy to try it.

Thanks a lot,
Maria
""".replace("\n", " ").replace("  ", "\n\n")


def test_short_messages_get_no_summary():
    assert summary.summarise("My invoice is wrong. Please fix it. Thanks. Bye now.") == []
    assert summary.summarise("") == []


def test_a_long_message_gives_its_key_sentences_in_reading_order():
    # when
    key = summary.summarise(LONG_EMAIL)
    # then: the sentences about the failing export, not the greeting or sign-off
    assert len(key) == 3
    assert all(sentence in LONG_EMAIL for sentence in key)
    assert sum("export" in sentence for sentence in key) >= 2
    assert not any(sentence.startswith(("Hi", "Thanks", "I hope")) for sentence in key)
    assert sorted(key, key=LONG_EMAIL.index) == key


def test_quoted_history_and_repeated_lines_are_left_out():
    body = LONG_EMAIL + "\n> " + "The export job stops at about 40% with the error.\n> " * 20
    key = summary.summarise(body)
    assert not any(sentence.startswith(">") for sentence in key)
    assert len(set(key)) == len(key)


@pytest.mark.parametrize(
    "text",
    [
        # right-to-left, with emoji
        ("مرحبا، لا أستطيع تسجيل الدخول إلى حسابي منذ الصباح 😢. " * 3
         + "حاولت إعادة تعيين كلمة المرور ولكن الرسالة لا تصل أبدا إلى بريدي. "
         + "فريقي كله متوقف عن العمل بسبب هذه المشكلة الخطيرة جدا اليوم. "
         + "أرجو المساعدة بسرعة لأن لدينا اجتماع مهم مع العملاء غدا صباحا. ") * 2,
        # Spanish
        ("Hola, desde ayer no podemos exportar los informes mensuales al almacén de datos. "
         "La exportación se detiene al cuarenta por ciento con un error de tiempo de espera. "
         "No hemos cambiado nada en nuestra configuración durante las últimas semanas. "
         "Nuestro equipo de finanzas necesita estos informes para el cierre del viernes. "
         "Por favor, revisen el trabajo de exportación de nuestra cuenta lo antes posible. "
         "Intentamos exportar a mano desde la página de informes y volvió a fallar. "
         "Si existe una solución temporal, como dividir la exportación, la probaremos. "
         "Muchas gracias de antemano por su ayuda con este problema tan urgente. "),
    ],
    ids=["arabic-emoji", "spanish"],
)
def test_non_english_and_right_to_left_text_is_summarised(text):
    key = summary.summarise(text)
    assert 1 <= len(key) <= 3
    assert all(sentence in text for sentence in key)


def test_a_huge_message_is_summarised_from_its_opening_only():
    body = LONG_EMAIL + " ".join(f"Line {n} of an attached log dump, level info." for n in
                                 range(20_000))
    key = summary.summarise(body)
    assert len(body) > 500_000
    assert all(body.index(sentence) < summary.MAX_TEXT for sentence in key)


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_rules", "triage_only")
def test_intake_stores_the_summary_and_keeps_the_description_verbatim():
    ticket, _ = intake("Nightly export failing", LONG_EMAIL)
    decision = TriageDecision.objects.get(ticket=ticket)
    assert decision.summary == summary.summarise(decision.normalised_text)
    assert len(decision.summary) == 3
    assert Ticket.objects.get(pk=ticket.pk).description == LONG_EMAIL


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_rules", "triage_only")
def test_the_ticket_page_shows_the_key_sentences_beside_the_whole_original(settings):
    # given
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    settings.HELPDESK_TICKET_PREFETCH = ["triage_decision"]
    settings.HELPDESK_TICKET_PANELS = []
    team = TeamFactory()
    agent = AgentFactory()
    team.members.add(agent)
    ticket, _ = intake("Nightly export failing", LONG_EMAIL + " <b>bold?</b> is not markup.")
    Ticket.objects.filter(pk=ticket.pk).update(team=team)
    # when
    page = signed_in(agent).get(f"/agent/tickets/{ticket.pk}/").content.decode()
    # then
    key = TriageDecision.objects.get(ticket=ticket).summary
    assert '<ul class="mini triage-summary"' in page
    for sentence in key:
        assert f"<li>{sentence}</li>" in page
    assert "I hope you are well." in page  # the original, in full
    assert "&lt;b&gt;bold?&lt;/b&gt;" in page
