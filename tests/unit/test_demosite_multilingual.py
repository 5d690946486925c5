"""The demo site's optional Korean and Russian articles: off by default, reproducible, lang-tagged."""

from __future__ import annotations

from newsdesk.demosite.site import generate_site


def test_multilingual_articles_are_off_by_default_and_leave_the_english_site_as_it_was() -> None:
    plain = generate_site(12, seed=4)
    extended = generate_site(12, seed=4, multilingual=2)

    assert [a.language for a in plain.articles] == ["en"] * 12
    assert extended.articles[:12] == plain.articles
    assert [a.language for a in extended.articles[12:]] == ["ko", "ko", "ru", "ru"]
    assert [a.article_id for a in extended.articles] == list(range(1, 17))
    assert len({a.path for a in extended.articles}) == 16


def test_multilingual_articles_are_reproducible_and_rendered_with_their_language() -> None:
    first, second = generate_site(3, seed=9, multilingual=3), generate_site(3, seed=9, multilingual=3)
    korean = next(a for a in first.articles if a.language == "ko")

    status, _content_type, page = first.render(korean.path)

    assert first.articles == second.articles
    assert status == 200
    assert '<html lang="ko">' in page.decode("utf-8")
    assert korean.title in page.decode("utf-8")
    assert any("\uac00" <= ch <= "\ud7a3" for ch in korean.body)
