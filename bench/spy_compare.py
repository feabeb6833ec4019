"""Two py-spy profiles side by side, per 1,000 updates: where one checkout spends more.

    python bench/spy_compare.py A.txt UPDATES_A B.txt UPDATES_B [--self] [--top 40]
        [--under FUNCTION]

The profiles are `bench/telegram_webhook.py --py-spy DIR` files (py-spy's raw format: one
line per distinct stack, `process...;thread (id): name;frame;...;frame count`), UPDATES the
updates its window handled (the bench prints upd/s; times its seconds). Only the event loop's
thread counts (`MainThread`), and the samples where it waited for work (the last frame is the
selector's `select`) are left out, so a figure is the wall time the loop spent, in samples
per 1,000 updates (py-spy samples 200 times a second: 1 sample = 5 ms).

Prints, for each function, its samples in A and B and the difference, largest first:
inclusive by default (the function and what it called), or `--self` (the function's own
frame), or the children of `--under FUNCTION` (where its time goes). See bench/README.md.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

LINE = re.compile(r":\d+\)$")


def stacks(path: Path) -> list[tuple[list[str], int]]:
    """The loop thread's busy stacks of a profile, frames without their line numbers."""
    found = []
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if frames and frames[0].startswith("process"):
            frames = frames[1:]
        if not frames or "MainThread" not in frames[0]:
            continue
        frames = [LINE.sub(")", frame) for frame in frames[1:]]
        if not frames or _waiting(frames[-1]):
            continue
        found.append((frames, int(count)))
    return found


def _waiting(frame: str) -> bool:
    """The loop waiting for work (epoll): not busy."""
    return frame.startswith("select (selectors") or "EpollSelector" in frame


Stacks = list[tuple[list[str], int]]


def tally(found: Stacks, updates: float, mode: str, under: str | None) -> dict[str, float]:
    """Samples per 1,000 updates, by function."""
    counts: Counter[str] = Counter()
    for frames, count in found:
        if under is not None:
            places = [i for i, frame in enumerate(frames) if frame.startswith(under)]
            if places:
                at = places[-1] + 1
                counts[frames[at] if at < len(frames) else "(self)"] += count
        elif mode == "self":
            counts[frames[-1]] += count
        else:
            for frame in set(frames):
                counts[frame] += count
    return {name: n * 1000 / updates for name, n in counts.items()}


def busy(found: Stacks, updates: float) -> float:
    """All the loop's busy samples per 1,000 updates."""
    return sum(count for _, count in found) * 1000 / updates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("updates_a", type=float)
    parser.add_argument("b", type=Path)
    parser.add_argument("updates_b", type=float)
    parser.add_argument("--self", dest="own", action="store_true", help="own frames only")
    parser.add_argument("--under", help="the children of this function")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    mode = "self" if args.own else "inclusive"
    found_a, found_b = stacks(args.a), stacks(args.b)  # each profile read once
    a = tally(found_a, args.updates_a, mode, args.under)
    b = tally(found_b, args.updates_b, mode, args.under)
    print(f"busy samples per 1,000 updates: A {busy(found_a, args.updates_a):.1f}, ", end="")
    print(f"B {busy(found_b, args.updates_b):.1f}")
    print(f"{'A':>8} {'B':>8} {'A-B':>8}  function ({args.under or mode})")
    names = sorted(set(a) | set(b), key=lambda n: -abs(a.get(n, 0) - b.get(n, 0)))
    for name in names[: args.top]:
        x, y = a.get(name, 0.0), b.get(name, 0.0)
        print(f"{x:8.1f} {y:8.1f} {x - y:+8.1f}  {name[:110]}")


if __name__ == "__main__":
    main()
