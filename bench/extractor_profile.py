"""Measure the CPU time of kgbuild's extractors over pre-parsed articles (spaCy excluded).

The articles are generated (``kgbuild.evaluation.synthetic.write_corpus``), parsed once,
then every extractor runs over the parsed Docs: the timed passes have no profiler, so
their CPU seconds are the figure to compare (a first pass over five articles builds the
lazy indexes, such as the knowledge base's name index, outside the timing).  ``--profile``
adds one pass under cProfile, which inflates the cost of small Cython calls (``Doc.__getitem__``,
generators such as ``Doc.__iter__``, counted once per item) several times over: read its
call counts rather than its seconds for those.  ``--sample`` adds one pass watched by a
sampling thread, which does not inflate them (but over-counts code that releases the GIL,
such as SQLite queries).  On a shared machine compare the best of several passes.

    python bench/extractor_profile.py                     # 200 articles, best of 3 passes
    python bench/extractor_profile.py --docbin /tmp/c200.spacy   # parse once, reuse after
    python bench/extractor_profile.py --articles 500 --repeat 5
    python bench/extractor_profile.py --by-extractor      # CPU seconds per extractor
    python bench/extractor_profile.py --sample --top 40   # plus a sampled pass
    python bench/extractor_profile.py --profile --top 40  # plus a cProfile pass

Run it from a checkout: it puts the checkout's ``src`` first on ``sys.path``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kgbuild.core.model import Extraction  # noqa: E402
from kgbuild.evaluation.synthetic import write_corpus  # noqa: E402
from kgbuild.execution.step import extract_article  # noqa: E402
from kgbuild.extractors import EXTRACTORS  # noqa: E402
from kgbuild.extractors.context import ArticleContext  # noqa: E402
from kgbuild.inputs.articles import read_articles  # noqa: E402
from kgbuild.kb.knowledge_base import KnowledgeBase, load_kb  # noqa: E402
from kgbuild.nlp.spacy_pipeline import load_pipeline  # noqa: E402


def parsed_corpus(
    folder: Path, count: int, *, seed: int, docbin: Path | None = None
) -> list[tuple[Any, Any]]:
    """The articles of a generated corpus with their parsed bodies.

    Args:
        folder: where the corpus is (written there first when the folder is missing).
        count: articles in the corpus.
        seed: the generator's seed.
        docbin: a file of the parsed Docs (spaCy's DocBin): read when it exists, else
            written after parsing, so that repeated runs skip the parse.

    Returns:
        ``(article, doc)`` pairs in file order.
    """
    if not folder.exists():
        write_corpus(folder, count, seed=seed)
    articles = list(read_articles([folder]))
    nlp = load_pipeline()
    if docbin is not None and docbin.exists():
        from spacy.tokens import DocBin

        docs = list(DocBin().from_disk(docbin).get_docs(nlp.vocab))
    else:
        docs = list(nlp.pipe([a.body for a in articles], batch_size=4))
        if docbin is not None:
            from spacy.tokens import DocBin

            DocBin(docs=docs, store_user_data=True).to_disk(docbin)
    return list(zip(articles, docs, strict=True))


def extraction_pass(pairs: Sequence[tuple[Any, Any]], kb: KnowledgeBase) -> float:
    """Run the whole extraction step (extractors and the article's summary) over every
    article once.

    Args:
        pairs: ``(article, doc)`` pairs.
        kb: the knowledge base.

    Returns:
        The CPU seconds the pass took.
    """
    start = time.process_time()
    for article, doc in pairs:
        extract_article(article, doc, kb, graph=False)
    return time.process_time() - start


def by_extractor(pairs: Sequence[tuple[Any, Any]], kb: KnowledgeBase) -> dict[str, float]:
    """CPU seconds of each extractor over every article (one pass, no profiler).

    Args:
        pairs: ``(article, doc)`` pairs.
        kb: the knowledge base.

    Returns:
        Extractor name -> CPU seconds, in the order the extractors run.
    """
    try:  # the per-article parse-tree cache run_extractors sets up (when there is one)
        from kgbuild.extractors.tree import reading
    except ImportError:
        reading = None
    spent = {module.NAME: 0.0 for module in EXTRACTORS}
    for article, doc in pairs:
        ctx = ArticleContext(article, doc, kb, Extraction(article))
        with reading(doc) if reading is not None else nullcontext():
            for module in EXTRACTORS:
                start = time.process_time()
                module.extract(ctx)
                spent[module.NAME] += time.process_time() - start
    return spent


def sampled_pass(
    pairs: Sequence[tuple[Any, Any]], kb: KnowledgeBase, *, interval: float = 0.0005
) -> tuple[Counter[str], Counter[str], int]:
    """One extraction pass watched by a sampling thread (little overhead, unlike cProfile,
    so the time of Cython calls is not inflated).

    Args:
        pairs: ``(article, doc)`` pairs.
        kb: the knowledge base.
        interval: seconds between samples.

    Returns:
        (samples per innermost kgbuild line, samples per kgbuild function anywhere on the
        stack, samples taken).
    """
    main_id = threading.get_ident()
    lines: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    taken = 0
    done = threading.Event()

    def where(frame: Any) -> str:
        code = frame.f_code
        return f"{Path(code.co_filename).name}:{code.co_name}"

    def sample() -> None:
        nonlocal taken
        while not done.wait(interval):
            frame = sys._current_frames().get(main_id)
            seen: set[str] = set()
            inner = True
            while frame is not None:
                if "kgbuild" in frame.f_code.co_filename:
                    if inner:
                        lines[f"{where(frame)}:{frame.f_lineno}"] += 1
                        inner = False
                    name = where(frame)
                    if name not in seen:  # recursion counts once
                        seen.add(name)
                        functions[name] += 1
                frame = frame.f_back
            taken += 1

    # the sampler needs the GIL: ask the running thread to hand it over more often
    switch = sys.getswitchinterval()
    sys.setswitchinterval(interval / 2)
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        extraction_pass(pairs, kb)
    finally:
        done.set()
        thread.join()
        sys.setswitchinterval(switch)
    return lines, functions, taken


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the corpus, time the extraction passes and print the figures.

    Args:
        argv: the command line (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200, help="articles (default 200)")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="corpus folder (default: a folder under /tmp per size and seed)")
    parser.add_argument("--docbin", type=Path, default=None,
                        help="file of the parsed Docs: read if it exists, else written")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (default 3)")
    parser.add_argument("--by-extractor", action="store_true",
                        help="also print the CPU seconds of each extractor")
    parser.add_argument("--profile", action="store_true", help="also run one pass under cProfile")
    parser.add_argument("--sample", action="store_true",
                        help="also run one pass under a sampling profiler")
    parser.add_argument("--top", type=int, default=40, help="profile rows printed (default 40)")
    args = parser.parse_args(argv)

    folder = args.corpus or Path(f"/tmp/kgbuild-bench-corpus-{args.articles}-seed{args.seed}")
    pairs = parsed_corpus(folder, args.articles, seed=args.seed, docbin=args.docbin)
    kb = load_kb()
    # a first pass builds the lazy indexes (name index, rule tables) outside the timing
    extraction_pass(pairs[:5], kb)
    times = [extraction_pass(pairs, kb) for _ in range(args.repeat)]
    print(f"articles {len(pairs)}; extraction CPU s per pass: "
          + " ".join(f"{t:.2f}" for t in times) + f"; best {min(times):.2f}")
    if args.by_extractor:
        for name, seconds in by_extractor(pairs, kb).items():
            print(f"  {name:<20} {seconds:6.3f}")
    if args.sample:
        lines, functions, taken = sampled_pass(pairs, kb)
        print(f"\nsampled: {taken} samples; share of samples per function (inclusive)")
        for name, n in functions.most_common(args.top):
            print(f"  {100 * n / taken:5.1f}%  {name}")
        print("\nshare of samples per innermost kgbuild line (exclusive of kgbuild callees)")
        for name, n in lines.most_common(args.top):
            print(f"  {100 * n / taken:5.1f}%  {name}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        extraction_pass(pairs, kb)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
