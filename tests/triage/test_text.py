import pytest

from triage import text


def test_normalise_composes_unicode_and_collapses_whitespace():
    # given: a decomposed "é" and runs of blank space
    raw = "Cafe\u0301   au   lait\r\n\r\n\r\n\tsecond\u200b line  "
    # when / then
    assert text.normalise(raw) == "Café au lait\n\nsecond line"


def test_normalise_strips_html_only_mail_bodies():
    body = ("<html><head><style>p {color: red}</style></head><body><p>Hello&nbsp;there,</p>"
            "<div>my <b>invoice</b> is wrong &amp; late</div><script>x()</script></body></html>")
    assert text.normalise(body) == "Hello there,\nmy invoice is wrong & late"


def test_plain_text_with_angle_brackets_is_not_treated_as_html():
    assert text.normalise("if a < b and c > d") == "if a < b and c > d"


@pytest.mark.parametrize(
    ("sample", "code"),
    [
        ("Hola, no puedo entrar en mi cuenta desde ayer por la tarde", "es"),
        ("Bonjour, je n'arrive pas à me connecter à mon compte", "fr"),
        ("Hallo, ich kann mich seit gestern nicht mehr anmelden", "de"),
        ("My invoice shows the wrong amount, please correct it", "en"),
        ("لا أستطيع تسجيل الدخول إلى حسابي منذ الصباح", "ar"),
        ("אני לא מצליח להתחבר לחשבון שלי מאז הבוקר", "he"),
    ],
)
def test_detect_language(sample, code):
    assert text.detect_language(sample) == code


@pytest.mark.parametrize("sample", ["", "ok", "😀😀😀 !!! 123", "a" * 3])
def test_detect_language_says_nothing_when_unsure(sample):
    assert text.detect_language(sample) == ""


def test_sentiment_reads_emoji_and_words():
    assert text.sentiment("This is the worst service ever, I am furious 😡") < -0.5
    assert text.sentiment("Thanks so much, you are great 😊") > 0.5
    assert text.sentiment("12345 !!!") is None


def test_trend_is_latest_minus_mean_of_earlier():
    assert text.trend([]) == 0.0
    assert text.trend([-0.5]) == 0.0
    assert text.trend([-0.8, -0.4, 0.3]) == pytest.approx(0.9)
