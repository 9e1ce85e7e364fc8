"""Rules: spam.* — subjects, junk phrasing, footers, thin bodies, hidden words."""

from __future__ import annotations

import pytest

LIST_HEADERS = {
    "List-Unsubscribe": "<https://news.example.com/u?id=1>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def test_caps_subject(fire) -> None:
    finding = fire("spam.caps-subject", subject="LOSE WEIGHT FAST WITH THIS TRICK")
    assert finding is not None
    assert fire("spam.caps-subject", subject="RE: FW: Budget for Q3 planning") is None
    assert fire("spam.caps-subject", subject="NASA and ESA sign MoU") is None


def test_subject_punctuation(fire) -> None:
    assert fire("spam.subject-punctuation", subject="Win now!! 🎁🎁🎁") is not None
    assert fire("spam.subject-punctuation", subject="Lunch on Friday?") is None


@pytest.mark.parametrize(
    ("rule_name", "body"),
    [
        (
            "spam.phrases",
            "100% free and risk-free trial! Act now, work from home and be your own boss.",
        ),
        ("spam.health", "Buy Viagra and Cialis without prescription from our online pharmacy."),
        (
            "spam.adult",
            "Lonely housewives in your area want to meet you tonight. Private photos inside.",
        ),
        ("spam.gambling", "Claim 200 free spins and a 500€ welcome bonus at our online casino."),
    ],
)
def test_junk_content(fire, rule_name: str, body: str) -> None:
    finding = fire(rule_name, body)
    assert finding is not None
    assert finding.strength == 1.0


def test_single_junk_phrase_is_weak(fire) -> None:
    body = "We discussed the spam filter that keeps flagging mails about viagra."
    assert fire("spam.health", body).strength == 0.5


def test_unsubscribe_footer_without_list_headers(fire) -> None:
    body = "Big savings inside!\n\nTo unsubscribe click here."
    assert fire("spam.unsubscribe-without-list-headers", body) is not None
    assert fire("spam.unsubscribe-without-list-headers", body, headers=LIST_HEADERS) is None
    assert fire("spam.unsubscribe-without-list-headers", "See you at 10.") is None


def test_obfuscated_text(fire) -> None:
    finding = fire("spam.obfuscated-text", "Enjоy Yоur Sаfе Dаtе tonight", subject="Hеllo")
    assert finding is not None
    newsletter = "P.O. BO\u200cX 741, Exc\u200celsior, M\u200cN 55\u200c331"  # anti-autolink
    assert fire("spam.obfuscated-text", newsletter) is None


def test_image_only(fire) -> None:
    html = '<html><body><a href="https://x.example.top/"><img src="https://cdn.example.top/a.png"></a></body></html>'
    assert fire("spam.image-only", "", html=html) is not None
    long_html = html.replace("</a>", "</a><p>" + "Our spring collection is here. " * 10 + "</p>")
    assert fire("spam.image-only", "Our spring collection is here. " * 10, html=long_html) is None


def test_link_only(fire) -> None:
    assert fire("spam.link-only", "https://bit.ly/3abc") is not None
    assert fire("spam.link-only", "Minutes of today's meeting are on the wiki.") is None
