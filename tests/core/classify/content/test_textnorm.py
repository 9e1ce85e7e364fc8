"""Text normalisation against keyword-filter evasion."""

from __future__ import annotations

from phishloop.core.classify.textnorm import normalize, normalize_phrase, obfuscation_marks


def test_zero_width_and_cyrillic_letters_are_undone() -> None:
    assert normalize("V\u200berify yоur аccount") == "verify your account"


def test_greek_capitals_and_small_capitals() -> None:
    assert normalize("Μicrosoft ᴏʀᴅᴇʀ ᴄᴏɴғɪʀᴍᴀᴛɪᴏɴ") == "microsoft order confirmation"


def test_mathematical_letters_accents_and_sharp_s() -> None:
    assert normalize("𝐋𝐎𝐎𝐊𝐈𝐍𝐆 Último Straße") == "looking ultimo strasse"


def test_html_character_references_are_decoded() -> None:
    assert normalize("Ol&#225;! f&#1110;r&#1109;t") == "ola! first"


def test_typographic_quotes_and_whitespace() -> None:
    assert normalize("Don’t\u00a0 \n wait — now") == "don't wait - now"


def test_ordinary_text_is_only_lower_cased() -> None:
    assert normalize("Meeting at 10:00, Room B") == "meeting at 10:00, room b"


def test_phrase_patterns_lose_accents_but_keep_regex_syntax() -> None:
    assert normalize_phrase("último (aviso|notificação)s?") == "ultimo (aviso|notificacao)s?"


def test_mixed_script_words_are_counted() -> None:
    marks = obfuscation_marks("Enjоy Yоur Sаfе Dаtе and Micrоsoft")
    assert marks.mixed_script >= 5
    assert marks.split_words == 0


def test_invisible_characters_inside_words_are_counted() -> None:
    assert obfuscation_marks("P\u200bay\u200bPal lo\u200bgin").split_words == 3


def test_latin_letters_of_other_languages_are_not_obfuscation() -> None:
    assert obfuscation_marks("Kapısı, Ølby, Łódź, Straße") == (0, 0)


def test_plain_russian_is_not_obfuscation() -> None:
    assert obfuscation_marks("Привет, как дела? Встреча в 10:00.") == (0, 0)
