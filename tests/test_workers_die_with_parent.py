"""Workers stop by themselves when the build that started them is killed (issue 14).

A ``--workers`` build is killed with SIGKILL, which no handler can catch; its worker
processes must notice and exit within a few seconds instead of living on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kgbuild.core.processes import WATCH_SECONDS


def _children() -> dict[int, int]:
    """pid -> parent pid of every process on this machine (from /proc)."""
    out: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        out[int(entry.name)] = int(fields[1])
    return out


def _descendants(root: int) -> set[int]:
    parents = _children()
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait() is missing


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_workers_exit_when_the_build_is_killed(tmp_path: Path) -> None:
    from kgbuild.evaluation.synthetic import write_corpus

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 400, seed=3)
    build = subprocess.Popen(
        [sys.executable, "-m", "kgbuild", "build", str(corpus), "-o", str(tmp_path / "g.nq"),
         "--workers", "2", "--no-validate"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and build.poll() is None:
            # the two workers (forked from the build, or from a forkserver when the
            # build runs threads: then three processes); wait until they are parsing
            workers = {p for p in _descendants(build.pid) if _running(p)}
            if len(workers) >= 2:
                break
            time.sleep(0.2)
        assert build.poll() is None, "the build ended before it could be killed"
        assert len(workers) >= 2, f"expected two workers, saw {workers}"
        time.sleep(2)  # let them take work
        os.kill(build.pid, signal.SIGKILL)
        build.wait(timeout=10)
        deadline = time.monotonic() + 10 * WATCH_SECONDS + 5
        while time.monotonic() < deadline and any(_running(p) for p in workers):
            time.sleep(0.2)
        left = {p for p in workers if _running(p)}
        assert not left, f"worker processes outlived the killed build: {left}"
    finally:
        if build.poll() is None:
            build.kill()
        for pid in _descendants(build.pid) | {p for p in workers if _running(p)}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
