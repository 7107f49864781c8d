"""Build the reference graphs of tests/golden/graph-digests.json and print (or --write) their
sha256: the seeds as TriG and N-Quads, and 200 generated articles (seed 0) as N-Quads.

    python scripts/graph_digests.py            # print, compare with the stored digests
    python scripts/graph_digests.py --write    # store them (after an intended change)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIGESTS = ROOT / "tests" / "golden" / "graph-digests.json"


def digests() -> dict[str, str]:
    """The sha256 of each reference graph, built now."""
    import kgbuild
    from kgbuild.evaluation.synthetic import write_corpus

    out: dict[str, str] = {}
    seeds = kgbuild.build([ROOT / "seeds"])
    for fmt, name in (("trig", "seeds.trig"), ("nquads", "seeds.nq")):
        data = seeds.serialize(format=fmt)
        assert data is not None
        out[name] = hashlib.sha256(data).hexdigest()
    with tempfile.TemporaryDirectory() as folder:
        write_corpus(folder, 200, seed=0)
        data = kgbuild.build([folder]).serialize(format="nquads")
        assert data is not None
        out["synthetic-200-seed0.nq"] = hashlib.sha256(data).hexdigest()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the digests")
    args = parser.parse_args()
    now = digests()
    stored = json.loads(DIGESTS.read_text(encoding="utf-8"))
    for name, digest in now.items():
        print(f"{name}: {digest} ({'same' if stored.get(name) == digest else 'CHANGED'})")
    if args.write:
        stored.update(now)
        DIGESTS.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
