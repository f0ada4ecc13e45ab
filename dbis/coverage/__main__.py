"""`python -m dbis.coverage`: regenerate docs/coverage.md and reports/coverage.json from the
hits the last `make coverage` run left in .build/coverage/hits/."""

from __future__ import annotations

import sys

from dbis.errors import OperatorError

from .compile import load_build
from .plugin import _traced_dirs
from .report import DOC, HITS_DIR, load_hits, write


def main() -> int:
    try:
        if not any(HITS_DIR.glob("*.json")):
            raise OperatorError(f"no coverage hits in {HITS_DIR}: run `make coverage`")
        summaries = write(load_build(), load_hits(), _traced_dirs(HITS_DIR))
    except OperatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    lines = sum(s.lines_covered for s in summaries), sum(s.lines_total for s in summaries)
    branches = sum(s.branches_covered for s in summaries), sum(s.branches_total for s in summaries)
    print(f"coverage: lines {lines[0]}/{lines[1]}, branches {branches[0]}/{branches[1]} -> {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
