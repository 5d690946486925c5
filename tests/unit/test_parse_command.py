"""Unit tests for `newsdesk parse`: saved pages in, one JSON object per page out, no service needed."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from newsdesk.cli import app
from newsdesk.demosite.site import generate_site

SEED_PAGE = Path(__file__).resolve().parents[1] / "data" / "seed-article-page.txt"
SITE = generate_site(6, seed=4)
runner = CliRunner()


def save(tmp_path: Path, path: str) -> Path:
    _, _, body = SITE.render(path)
    target = tmp_path / (path.strip("/").replace("/", "_") or "index.html")
    target.write_bytes(body)
    return target


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_parse_prints_one_article_per_line(tmp_path: Path) -> None:
    article = SITE.articles[0]
    saved = save(tmp_path, article.path)

    result = runner.invoke(
        app, ["parse", str(saved), "--url", "http://demo.example" + article.path, "--json"]
    )

    assert result.exit_code == 0, result.output
    (parsed,) = lines(result.stdout)
    assert parsed["title"] == article.title
    assert parsed["body"] == article.body
    assert parsed["published_at"] == article.published.isoformat()
    assert parsed["source"] == article.source.name
    assert parsed["url"] == "http://demo.example" + article.path
    assert parsed["related"][0]["url"].startswith("http://demo.example/")
    assert "raw_page" not in parsed or parsed["raw_page"] is None


def test_rejected_pages_print_their_reason(tmp_path: Path) -> None:
    notice = save(tmp_path, SITE.rejected_paths[0])
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")

    result = runner.invoke(app, ["parse", str(notice), str(empty), "--json"])

    assert result.exit_code == 0, result.output
    first, second = lines(result.stdout)
    assert (first["rejected"], second["rejected"]) == ("not_an_article", "empty_page")
    assert first["path"] == str(notice)


def test_a_manifest_gives_each_page_its_url(tmp_path: Path) -> None:
    articles = SITE.articles[:3]
    entries = [{"path": save(tmp_path, a.path).name, "url": f"https://x.example{a.path}"} for a in articles]
    manifest = tmp_path / "pages.jsonl"
    manifest.write_text("\n".join(json.dumps(e) for e in entries) + "\n")

    result = runner.invoke(app, ["parse", "--manifest", str(manifest), "--json"])

    assert result.exit_code == 0, result.output
    parsed = lines(result.stdout)
    assert [p["title"] for p in parsed] == [a.title for a in articles]
    assert [p["url"] for p in parsed] == [e["url"] for e in entries]


def test_the_seed_page_saved_as_text_parses_in_its_layout() -> None:
    result = runner.invoke(
        app, ["parse", str(SEED_PAGE), "--url", "https://archive.example.org/a/1", "--json"]
    )

    assert result.exit_code == 0, result.output
    (parsed,) = lines(result.stdout)
    assert parsed["title"].startswith("Supreme Leader Kim Jong Un Holds Talks")
    assert parsed["published_at"] == "2019-04-26"
    assert parsed["source"] == "Ministry of Foreign Affairs (EN)"
    assert len(parsed["related"]) == 20
    assert parsed["extraction"] == "seed_layout"


def test_url_with_several_paths_is_refused(tmp_path: Path) -> None:
    a, b = save(tmp_path, SITE.articles[0].path), save(tmp_path, SITE.articles[1].path)

    result = runner.invoke(app, ["parse", str(a), str(b), "--url", "https://x.example/a"])

    assert result.exit_code == 2
    assert "--url" in result.output


def test_an_unknown_source_is_refused(tmp_path: Path) -> None:
    saved = save(tmp_path, SITE.articles[0].path)

    result = runner.invoke(app, ["parse", str(saved), "--source", "nosuchsource"])

    assert result.exit_code == 2
    assert "nosuchsource" in result.output


def test_parse_with_enrich_prints_the_enriched_seed_article() -> None:
    result = runner.invoke(
        app, ["parse", str(SEED_PAGE), "--url", "https://kcnawatch.example/article/1", "--enrich", "--json"]
    )

    assert result.exit_code == 0, result.output
    article = json.loads(result.output)
    assert article["language"] == "en"
    for person in ("Kim Jong Un", "Vladimir Putin", "Ri Yong Ho", "Choe Son Hui", "Sergei Lavrov"):
        assert person in article["people"], person
    assert {"KP", "RU", "US"} <= set(article["countries"])
    assert article["word_count"] > 300
