"""`newsdesk enrich-text`: enrichment of a text file from the command line, with no service running."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from newsdesk.cli import app

SEED_PAGE = Path(__file__).resolve().parents[1] / "data" / "seed-article-page.txt"


def test_enrich_text_prints_the_enriched_article_as_json(tmp_path: Path, monkeypatch) -> None:
    lines = SEED_PAGE.read_text(encoding="utf-8").splitlines()
    page = tmp_path / "seed.txt"
    page.write_text("\n".join([lines[0], *lines[2:14]]), encoding="utf-8")
    monkeypatch.delenv("NEWSDESK_GAZETTEER_FILE", raising=False)

    result = CliRunner().invoke(app, ["enrich-text", str(page), "--json"])

    assert result.exit_code == 0, result.output
    article = json.loads(result.output)
    assert article["title"] == lines[0]
    assert article["language"] == "en"
    assert {"Kim Jong Un", "Vladimir Putin", "Ri Yong Ho", "Choe Son Hui", "Sergei Lavrov"} <= set(
        article["people"]
    )
    assert {"KP", "RU", "US"} <= set(article["countries"])
    assert article["keywords"] and article["word_count"] > 400
    assert article["enrich_errors"] == []


def test_enrich_text_uses_the_configured_gazetteer_and_reports_a_bad_one(tmp_path: Path, monkeypatch) -> None:
    page = tmp_path / "article.txt"
    page.write_text(
        "Visit\nThe Dear Respected Marshal visited a farm near Wonsan on Tuesday.\n", encoding="utf-8"
    )
    gazetteer = tmp_path / "gazetteer.yaml"
    gazetteer.write_text("people:\n  Kim Jong Un: [Dear Respected Marshal]\n", encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_GAZETTEER_FILE", str(gazetteer))

    result = CliRunner().invoke(app, ["enrich-text", str(page)])

    assert result.exit_code == 0, result.output
    assert "people         Kim Jong Un" in result.output
    assert "countries      KP" in result.output

    gazetteer.write_text("countries:\n  ZZ: [Nowhere]\n", encoding="utf-8")
    failed = CliRunner().invoke(app, ["enrich-text", str(page)])
    assert failed.exit_code == 1
    assert "unknown ISO 3166 country code 'ZZ'" in failed.output


def test_enrich_text_reports_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["enrich-text", str(tmp_path / "missing.txt")])

    assert result.exit_code == 1
    assert "cannot read" in result.output
