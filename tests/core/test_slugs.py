"""Slugs: unicode-aware generation from titles, validity, and uniqueness by numeric suffix.

Pure rules: no database.
"""

from __future__ import annotations

import pytest

from masthead.core.slugs import MAX_SLUG_LENGTH, is_valid_slug, slugify, unique_slug

# --- slugify ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Héllo Wörld", "hello-world"),
        ("Héllo, Wörld!", "hello-world"),
        ("Ça va? Très bien.", "ca-va-tres-bien"),
        ("Crème brûlée à la carte", "creme-brulee-a-la-carte"),
        ("İstanbul", "istanbul"),
        ("Tiếng Việt", "tieng-viet"),
    ],
)
def test_slugify_strips_accents_from_latin_letters(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Привет Мир", "привет-мир"),
        ("東京", "東京"),
        ("東京 タワー", "東京-タワー"),
        ("한국어 블로그", "한국어-블로그"),
        ("مرحبا بالعالم", "مرحبا-بالعالم"),
        ("ΑΘΗΝΑ", "αθηνα"),
    ],
)
def test_slugify_keeps_letters_of_other_scripts_lowercased(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_keeps_japanese_voiced_kana() -> None:
    assert slugify("東京のブログ ガイド") == "東京のブログ-ガイド"


def test_slugify_keeps_cyrillic_short_i() -> None:
    assert slugify("Йогурт и мёд") == "йогурт-и-мёд"


def test_slugify_keeps_devanagari_vowel_signs() -> None:
    assert slugify("नमस्ते दुनिया") == "नमस्ते-दुनिया"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("  a -- b __ c  ", "a-b-c"),
        ("Hello,   World!!!", "hello-world"),
        ("one/two.three:four;five+six", "one-two-three-four-five-six"),
        ("tabs\tand\nnewlines", "tabs-and-newlines"),
        ("en \u2013 and em \u2014 dashes", "en-and-em-dashes"),
        ("foo_bar", "foo-bar"),
        ("---leading and trailing---", "leading-and-trailing"),
        ("What's (new) in 2026?", "whats-new-in-2026"),
    ],
)
def test_slugify_collapses_punctuation_and_whitespace_into_single_hyphens(
    title: str, slug: str
) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize("title", ["", "   ", "!!!", "?!.,;:", "\u2014 \u2013 -"])
def test_slugify_of_nothing_sluggable_is_empty(title: str) -> None:
    assert slugify(title) == ""


def test_slugify_output_is_a_valid_slug_and_bounded_in_length() -> None:
    slug = slugify("word " * 200)
    assert len(slug) <= MAX_SLUG_LENGTH
    assert not slug.endswith("-")
    assert is_valid_slug(slug)


# --- is_valid_slug ----------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["hello", "hello-world", "post-2", "2026", "привет-мир", "東京"])
def test_is_valid_slug_accepts_words_joined_by_single_hyphens(slug: str) -> None:
    assert is_valid_slug(slug)


@pytest.mark.parametrize(
    "slug",
    ["", "a--b", "-a", "a-", "a_b", "a b", "a/b", "a.b", "héllo!", "x" * (MAX_SLUG_LENGTH + 1)],
)
def test_is_valid_slug_refuses_everything_else(slug: str) -> None:
    assert not is_valid_slug(slug)


def test_is_valid_slug_accepts_the_maximum_length() -> None:
    assert is_valid_slug("x" * MAX_SLUG_LENGTH)


# --- unique_slug ------------------------------------------------------------------------------


def test_unique_slug_keeps_a_free_base() -> None:
    assert unique_slug("hello", lambda s: False) == "hello"


def test_unique_slug_appends_2_then_3_when_taken() -> None:
    taken = {"hello"}
    assert unique_slug("hello", taken.__contains__) == "hello-2"
    taken.add("hello-2")
    assert unique_slug("hello", taken.__contains__) == "hello-3"
    taken.update({"hello-3", "hello-4"})
    assert unique_slug("hello", taken.__contains__) == "hello-5"


def test_unique_slug_fills_the_first_free_suffix() -> None:
    taken = {"hello", "hello-3"}
    assert unique_slug("hello", taken.__contains__) == "hello-2"


def test_unique_slug_of_empty_base_uses_the_fallback() -> None:
    assert unique_slug("", lambda s: False) == "untitled"
    assert unique_slug("", {"untitled"}.__contains__) == "untitled-2"
    assert unique_slug("", lambda s: False, fallback="post") == "post"


def test_unique_slug_stays_within_the_maximum_length() -> None:
    base = "x" * MAX_SLUG_LENGTH
    slug = unique_slug(base, {base}.__contains__)
    assert slug.endswith("-2")
    assert len(slug) == MAX_SLUG_LENGTH
    assert is_valid_slug(slug)
