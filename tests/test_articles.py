"""Reading articles: every input format, every problem, and the offset invariants."""

from __future__ import annotations

import json
import logging
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from kgbuild.core.errors import InputError, InputWarning, KgbuildError
from kgbuild.core.model import Article
from kgbuild.inputs.articles import (
    FURNITURE_PATTERNS,
    extract_html,
    find_body_end,
    furniture_spans,
    read_articles,
)

SEED_000 = "000_5b0c8244025bb314.txt"
SEED_004 = "004_3611225c614ea39f.txt"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def read_all(
    *sources: Path | str, strict: bool = False
) -> tuple[list[Article], list[KgbuildError]]:
    problems: list[KgbuildError] = []
    articles = list(read_articles(list(sources), strict=strict, on_problem=problems.append))
    return articles, problems


def assert_offsets(article: Article) -> None:
    """The invariants every reader must keep."""
    text = article.text
    begin, end = article.title_span
    assert 0 <= begin <= end <= len(text)
    if end > begin:
        assert text[begin:end].strip() == text[begin:end]
    assert article.body_end == -1 or end <= article.body_end <= len(text)
    assert article.body == (text if article.body_end < 0 else text[: article.body_end])
    for b, e in article.excluded:
        assert begin <= b < e <= len(article.body)


# ---------------------------------------------------------------------------- seeds


@pytest.fixture(scope="module")
def seeds(seeds_dir: Path) -> dict[str, Article]:
    articles, problems = read_all(seeds_dir)
    assert problems == []
    return {a.id: a for a in articles}


def test_seeds_are_read_in_sorted_order(seeds_dir: Path) -> None:
    assert [a.id for a in read_articles([seeds_dir])] == [SEED_000, SEED_004]


def test_seed_000_text_is_the_file_text(seeds: dict[str, Article], seeds_dir: Path) -> None:
    article = seeds[SEED_000]
    assert article.text == (seeds_dir / SEED_000).read_bytes().decode("utf-8")
    assert article.source_path == str(seeds_dir / SEED_000)
    assert_offsets(article)


def test_seed_000_headline_and_sidecar(seeds: dict[str, Article]) -> None:
    article = seeds[SEED_000]
    assert article.title == "Azerbaijan’s Retaliatory Attack in Nagorno-Karabakh Kills 3 Armenians"
    assert article.text[slice(*article.title_span)] == article.title
    assert article.title_span[0] == 0
    assert article.published == date(2022, 8, 4)
    assert article.publisher == "focuswashington.com"
    assert article.url is not None and article.url.startswith("https://focuswashington.com/")


def test_seed_000_body_ends_at_comment_form(seeds: dict[str, Article]) -> None:
    article = seeds[SEED_000]
    assert article.text[article.body_end :].startswith("Be the first to comment")
    assert "Leave a Reply" not in article.body
    assert "Your email address" not in article.body
    assert article.body.rstrip().endswith("deployed Russian peacekeepers to the region.")
    assert article.excluded == ()


def test_seed_004_body_ends_at_video_transcript(seeds: dict[str, Article]) -> None:
    article = seeds[SEED_004]
    assert article.text[article.body_end :] == "Video transcript"
    assert article.published is None and article.publisher is None and article.url is None
    assert article.title == "Azerbaijan Launches 'Revenge' Attack on Armenian Forces in Karabakh"
    assert_offsets(article)


def test_seed_004_credit_line_is_excluded(seeds: dict[str, Article]) -> None:
    article = seeds[SEED_004]
    assert [article.text[b:e] for b, e in article.excluded] == [
        "Credit: Azerbaijan Ministry of Defense via Storyful"
    ]
    # The sentence before the credit stays in the body, untouched.
    begin = article.excluded[0][0]
    assert article.text[:begin].rstrip().endswith("right to self-determination.”")


def test_seed_file_given_directly_is_the_same(seeds_dir: Path, seeds: dict[str, Article]) -> None:
    (article,) = read_articles([seeds_dir / SEED_000])
    assert article == seeds[SEED_000]


def test_shell_glob_of_a_folder_ignores_companion_files(seeds_dir: Path) -> None:
    articles, problems = read_all(*sorted(seeds_dir.iterdir()))
    assert [a.id for a in articles] == [SEED_000, SEED_004]
    assert problems == []


# ---------------------------------------------------------------------------- .txt


def test_txt_with_sidecar(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "\n\n  Storm hits coast  \n\nWinds rose.\n")
    write(
        tmp_path / "a.meta.json",
        json.dumps(
            {
                "url": "https://example.org/a",
                "published": "2021-05-06T10:00:00+00:00",
                "publisher": "Example",
                "id": "storm-1",
            }
        ),
    )
    (article,), problems = read_all(tmp_path)
    assert problems == []
    assert article.id == "storm-1"
    assert article.title == "Storm hits coast"
    assert article.text[slice(*article.title_span)] == "Storm hits coast"
    assert article.title_span == (4, 20)
    assert article.published == date(2021, 5, 6)
    assert (article.url, article.publisher) == ("https://example.org/a", "Example")
    assert article.body_end == -1
    assert article.body == article.text


def test_sidecar_title_wins_and_is_located(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "BREAKING\nStorm hits coast\n\nWinds rose.")
    write(tmp_path / "a.txt.meta.json", '{"title": "Storm hits coast"}')
    (article,), _ = read_all(tmp_path)
    assert article.title == "Storm hits coast"
    assert article.text[slice(*article.title_span)] == "Storm hits coast"


@pytest.mark.parametrize(
    ("sidecar", "message"),
    [
        pytest.param("{not json", "cannot read sidecar", id="bad-json"),
        pytest.param("[1, 2]", "not a JSON object", id="not-object"),
        pytest.param('{"published": "4 August"}', "not an ISO date", id="bad-date"),
        pytest.param('{"url": 5}', "must be a non-empty string", id="bad-type"),
        pytest.param('{"pubished": "2022-08-04"}', "unknown sidecar keys", id="unknown-key"),
    ],
)
def test_bad_sidecar_is_reported_and_ignored(tmp_path: Path, sidecar: str, message: str) -> None:
    write(tmp_path / "a.txt", "Headline\n\nBody.")
    write(tmp_path / "a.meta.json", sidecar)
    (article,), problems = read_all(tmp_path)
    assert article.published is None and article.url is None
    assert len(problems) == 1
    assert isinstance(problems[0], InputWarning)
    assert message in str(problems[0])
    assert "a.meta.json" in problems[0].input
    assert problems[0].fix


def test_bad_sidecar_is_fatal_when_strict(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Headline\n\nBody.")
    write(tmp_path / "a.meta.json", '{"published": "yesterday"}')
    with pytest.raises(InputError, match="not an ISO date") as info:
        list(read_articles([tmp_path], strict=True))
    assert not isinstance(info.value, InputWarning)


def test_bom_is_removed_before_offsets(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"\xef\xbb\xbfHeadline\n\nBody.")
    (article,), problems = read_all(tmp_path)
    assert problems == []
    assert article.text == "Headline\n\nBody."
    assert article.title_span == (0, 8)


def test_crlf_newlines_are_kept(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Headline\r\n\r\nBody.\r\n\r\nLeave a Reply\r\n")
    (article,), _ = read_all(tmp_path)
    assert article.text.count("\r\n") == 5
    assert article.title == "Headline" and article.title_span == (0, 8)
    assert article.text[article.body_end :].startswith("Leave a Reply")


def test_non_utf8_is_replaced_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"Headline\n\nCaf\xe9 opens.")
    (article,), problems = read_all(tmp_path)
    assert "Caf\ufffd opens." in article.text
    (problem,) = problems
    assert isinstance(problem, InputWarning)
    assert "a.txt" in problem.input
    assert "byte 13" in str(problem)


def test_non_utf8_is_fatal_when_strict(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"Headline\n\nCaf\xe9.")
    with pytest.raises(InputError, match="not valid UTF-8 at byte 13"):
        list(read_articles([tmp_path], strict=True))


def test_binary_file_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path / "b.txt", "Headline\n\nBody.")
    articles, problems = read_all(tmp_path)
    assert [a.id for a in articles] == ["b.txt"]
    (problem,) = problems
    assert type(problem) is InputError
    assert "binary" in str(problem) and problem.input.endswith("a.txt")


def test_binary_only_source_raises(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", b"\x00\x01\x02")
    with pytest.raises(InputError, match="binary"):
        list(read_articles([tmp_path / "a.txt"], strict=True))
    with pytest.raises(InputError, match="no article could be read"):
        list(read_articles([tmp_path / "a.txt"], on_problem=lambda p: None))


def test_empty_file(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", "  \n\n")
    write(tmp_path / "b.txt", "Headline\n\nBody.")
    articles, problems = read_all(tmp_path)
    assert [a.id for a in articles] == ["b.txt"]
    assert "empty" in str(problems[0]) and problems[0].input.endswith("empty.txt")
    with pytest.raises(InputError, match="empty"):
        list(read_articles([tmp_path / "empty.txt"], strict=True))


def test_nfc_normalisation_warns(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Café opens\n\nIn Zürich.")
    write(tmp_path / "a.txt", decomposed)
    (article,), problems = read_all(tmp_path)
    assert article.text == "Café opens\n\nIn Zürich."
    assert article.title == "Café opens"
    assert article.text[slice(*article.title_span)] == "Café opens"
    (problem,) = problems
    assert isinstance(problem, InputWarning) and "NFC" in str(problem)


def test_problems_are_logged_without_a_handler(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "a.txt", b"Headline\n\nCaf\xe9.")
    with caplog.at_level(logging.WARNING, logger="kgbuild.inputs.articles"):
        list(read_articles([tmp_path]))
    assert "not valid UTF-8" in caplog.text


# ---------------------------------------------------------------------------- paths


def test_missing_path_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(InputError) as info:
        read_articles([missing])  # checked eagerly, before iteration
    assert info.value.input == str(missing)
    assert "no such file or folder" in str(info.value)
    assert info.value.fix
    assert info.value.exit_code == 2


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "x.meta.json", "{}")
    with pytest.raises(InputError, match="no article files"):
        read_articles([tmp_path])


def test_no_sources() -> None:
    with pytest.raises(InputError, match="no sources"):
        read_articles([])


def test_single_path_is_accepted(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Headline\n\nBody.")
    assert [a.id for a in read_articles(tmp_path / "a.txt")] == ["a.txt"]
    assert [a.id for a in read_articles(str(tmp_path))] == ["a.txt"]


def test_folders_are_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    for name in ["b/2.txt", "a/z.txt", "a/sub/y.txt", "c.txt", ".hidden/h.txt", ".h.txt"]:
        write(tmp_path / name, f"Article {name}\n\nBody of {name}.")
    write(tmp_path / "notes.md", "# not an article")
    write(tmp_path / "c.gold.json", "{}")
    articles, problems = read_all(tmp_path)
    assert [a.id for a in articles] == ["y.txt", "z.txt", "2.txt", "c.txt"]
    (problem,) = problems
    assert isinstance(problem, InputWarning) and problem.input.endswith("notes.md")


def test_same_name_in_two_folders_is_disambiguated(tmp_path: Path) -> None:
    write(tmp_path / "one" / "a.txt", "First\n\nOne.")
    write(tmp_path / "two" / "deep" / "a.txt", "Second\n\nTwo.")
    write(tmp_path / "two" / "b.txt", "Third\n\nThree.")
    ids = [a.id for a in read_articles([tmp_path / "one", tmp_path / "two"])]
    assert ids == ["one/a.txt", "b.txt", "two/deep/a.txt"]
    # Deterministic: the same ids whatever the order of the sources.
    again = [a.id for a in read_articles([tmp_path / "two", tmp_path / "one"])]
    assert sorted(again) == sorted(ids)


def test_same_file_twice_is_read_once(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Headline\n\nBody.")
    articles, problems = read_all(tmp_path, tmp_path / "a.txt")
    assert [a.id for a in articles] == ["a.txt"]
    assert problems == []


def test_duplicate_text_is_skipped_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Headline\n\nBody.")
    write(tmp_path / "b.txt", "Headline\n\nBody.")
    articles, problems = read_all(tmp_path)
    assert [a.id for a in articles] == ["a.txt"]
    (problem,) = problems
    assert isinstance(problem, InputWarning)
    assert "duplicate of article 'a.txt'" in str(problem) and problem.input.endswith("b.txt")


def test_unknown_file_type_given_explicitly(tmp_path: Path) -> None:
    write(tmp_path / "a.pdf", "%PDF-1.4")
    write(tmp_path / "b.txt", "Headline\n\nBody.")
    articles, problems = read_all(tmp_path / "a.pdf", tmp_path / "b.txt")
    assert [a.id for a in articles] == ["b.txt"]
    assert type(problems[0]) is InputError and "unknown file type '.pdf'" in str(problems[0])


# ---------------------------------------------------------------------------- .html

PAGE = """<!doctype html>
<html><head><title>Storm hits coast | Example News</title>
<meta charset="utf-8">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2021-05-06T08:00:00Z">
<link rel="canonical" href="https://example.org/storm">
<style>p { color: red }</style>
<script>var tracking = "Be the first to comment";</script>
</head>
<body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<main>
<article>
  <header><h1>Storm hits &amp; floods coast</h1></header>
  <p>Winds   rose
  overnight.</p>
  <figure><img src="x.jpg"><figcaption>Photo: Agency</figcaption></figure>
  <p>Officials said<br>two roads were closed.</p>
  <aside>Read also: something else</aside>
  <form><input name="q"> Search</form>
  <p>Video transcript</p>
  <p>Spoken words.</p>
</article>
<aside><article><h2>Other story</h2><p>Short.</p></article></aside>
</main>
<footer>© 2021 Example News</footer>
<script>console.log("footer")</script>
</body></html>
"""


def test_extract_html_main_text() -> None:
    text, title, span, meta = extract_html(PAGE)
    assert title == "Storm hits & floods coast"
    assert text[span[0] : span[1]] == title
    assert text == (
        "Storm hits & floods coast\n\n"
        "Winds rose overnight.\n\n"
        "Officials said\ntwo roads were closed.\n\n"
        "Video transcript\n\n"
        "Spoken words."
    )
    assert meta == {
        "url": "https://example.org/storm",
        "published": "2021-05-06T08:00:00Z",
        "publisher": "Example News",
    }


def test_html_file(tmp_path: Path) -> None:
    write(tmp_path / "storm.html", PAGE)
    (article,), problems = read_all(tmp_path)
    assert problems == []
    assert article.id == "storm.html"
    assert article.title == "Storm hits & floods coast"
    assert article.published == date(2021, 5, 6)
    assert article.publisher == "Example News"
    for junk in ("tracking", "Home", "Search", "Read also", "color", "©", "Other story"):
        assert junk not in article.text
    assert article.text[article.body_end :].startswith("Video transcript")
    assert_offsets(article)


def test_html_without_article_uses_main_then_body() -> None:
    text, title, _, _ = extract_html(
        "<html><head><title>T</title></head><body><div>Menu</div>"
        "<main><p>Inside main.</p></main></body></html>"
    )
    assert (text, title) == ("T\n\nInside main.", "T")
    text, title, span, _ = extract_html("<p>Just a paragraph.</p><p>Another.</p>")
    assert text == "Just a paragraph.\n\nAnother."
    assert title == "Just a paragraph." and span == (0, 17)


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    page = '<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head>'
    page += "<body><h1>Caf\xe9 opens</h1><p>In town.</p></body></html>"
    write(tmp_path / "a.htm", page.encode("cp1252"))
    (article,), problems = read_all(tmp_path)
    assert problems == []
    assert article.title == "Café opens"


def test_html_sidecar_overrides_page_metadata(tmp_path: Path) -> None:
    write(tmp_path / "storm.html", PAGE)
    write(tmp_path / "storm.meta.json", '{"published": "2021-05-07", "title": "Storm"}')
    (article,), _ = read_all(tmp_path)
    assert article.published == date(2021, 5, 7)
    assert article.title == "Storm"


# ---------------------------------------------------------------------------- .jsonl


def test_jsonl(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "Storm hits coast\n\nWinds rose.", "published": "2021-05-06"}),
        "",
        json.dumps({"text": "Body only, no headline.", "title": "Quiet day", "id": "q1"}),
        "{broken",
        json.dumps({"title": "no text"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "Café\n\nOpens.", "lang": "en", "url": "https://e.org/c"}),
    ]
    write(tmp_path / "feed.jsonl", "\n".join(lines) + "\n")
    articles, problems = read_all(tmp_path)
    assert [a.id for a in articles] == ["feed.jsonl:1", "q1", "feed.jsonl:7"]
    first, second, third = articles
    assert first.title == "Storm hits coast" and first.title_span == (0, 16)
    assert first.published == date(2021, 5, 6)
    assert first.source_path == str(tmp_path / "feed.jsonl")
    assert second.title == "Quiet day" and second.title_span == (0, 0)
    assert third.url == "https://e.org/c"
    errors = [p for p in problems if not isinstance(p, InputWarning)]
    assert [p.input for p in errors] == [f"{tmp_path / 'feed.jsonl'}:{n}" for n in (4, 5, 6)]
    assert "not valid JSON" in str(errors[0])
    assert "missing or empty 'text'" in str(errors[1])
    assert "not a JSON object" in str(errors[2])
    warnings = [p for p in problems if isinstance(p, InputWarning)]
    assert len(warnings) == 1 and "'lang'" in str(warnings[0])
    for article in articles:
        assert_offsets(article)


def test_jsonl_bad_line_is_fatal_when_strict(tmp_path: Path) -> None:
    write(tmp_path / "feed.jsonl", '{"text": "Fine\\n\\nText."}\n{broken\n')
    with pytest.raises(InputError, match=r"feed\.jsonl:2: not valid JSON"):
        list(read_articles([tmp_path], strict=True))


def test_jsonl_duplicate_ids_are_renamed(tmp_path: Path) -> None:
    write(tmp_path / "feed.jsonl", '{"text": "A\\n\\nOne.", "id": "x"}\n{"text": "B", "id": "x"}\n')
    articles, problems = read_all(tmp_path)
    assert [a.id for a in articles] == ["x", "feed.jsonl:2"]
    assert isinstance(problems[0], InputWarning) and "already taken" in str(problems[0])


def test_empty_jsonl(tmp_path: Path) -> None:
    write(tmp_path / "feed.jsonl", "\n\n")
    with pytest.raises(InputError, match="empty"):
        list(read_articles([tmp_path], strict=True))


def test_jsonl_is_read_lazily(tmp_path: Path) -> None:
    write(tmp_path / "feed.jsonl", '{"text": "A\\n\\nOne."}\n{broken\n')
    iterator = read_articles([tmp_path], strict=True)
    assert next(iterator).id == "feed.jsonl:1"  # the bad line is not read yet
    with pytest.raises(InputError):
        next(iterator)


# ---------------------------------------------------------------------------- furniture


@pytest.mark.parametrize(
    "line",
    [
        "Be the first to comment",
        "Leave a Reply",
        "Leave a Comment",
        "Your email address will not be published. Required fields are marked *",
        "Video transcript",
        "Related articles",
        "Related Stories:",
        "Share this",
        "Share this article",
        "Sign up for our newsletter",
        "Subscribe to our daily newsletter for the latest news",
        "You may also like",
        "12 Comments",
        "© 2022 Example Media. All rights reserved.",
    ],
)
def test_furniture_line_ends_the_body(line: str) -> None:
    text = f"Headline\n\nThe army said it would share this view with allies.\n\n{line}\n\nMore."
    assert find_body_end(text) == text.index(line)


@pytest.mark.parametrize(
    "text",
    [
        "Headline\n\nShare this information with the public, the minister said.",
        "Headline\n\nRelated to the attack, officials met on Monday.",
        "Headline\n\nComments by the minister drew criticism.",
        "Headline\n\nHe urged people to sign up for the army.",
    ],
)
def test_body_sentences_are_not_furniture(text: str) -> None:
    assert find_body_end(text) == -1


def test_furniture_in_the_headline_is_ignored(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Related articles\n\nBody.\n\nLeave a Reply")
    (article,), _ = read_all(tmp_path)
    assert article.text[article.body_end :] == "Leave a Reply"


def test_furniture_patterns_are_general() -> None:
    for pattern in FURNITURE_PATTERNS:
        for name in ("azerbaijan", "armenia", "karabakh", "storyful"):
            assert name not in pattern.lower()


@pytest.mark.parametrize(
    ("text", "credits"),
    [
        pytest.param(
            "He spoke. Credit: Reuters via Storyful\nNext.",
            ["Credit: Reuters via Storyful"],
            id="after-sentence",
        ),
        pytest.param(
            "Body.\nPhoto: AP / Jane Doe\nMore body.", ["Photo: AP / Jane Doe"], id="line"
        ),
        pytest.param("He said “go.” Image credit: AFP", ["Image credit: AFP"], id="after-quote"),
        pytest.param("Body.\nPhoto by Jane Doe/Reuters", ["Photo by Jane Doe/Reuters"], id="by"),
        pytest.param("The photo: a tank. It burned.", [], id="mid-sentence"),
        pytest.param("Credits to the army were given.", [], id="no-colon"),
    ],
)
def test_credit_spans(text: str, credits: list[str]) -> None:
    assert [text[b:e] for b, e in furniture_spans(text)] == credits


def test_credit_after_body_end_is_not_excluded(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Headline\n\nBody.\n\nVideo transcript\n\nCredit: X via Y\n")
    (article,), _ = read_all(tmp_path)
    assert article.excluded == ()
