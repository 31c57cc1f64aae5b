"""Run ``portcheck ARGS`` with bounded resources, so that a regression fails a test, not the machine.

Used as ``python tests/robustness/limited.py ARGS`` with the bounds in the environment:
``PORTCHECK_TEST_RLIMIT_AS`` (address space, bytes), ``PORTCHECK_TEST_RLIMIT_CPU`` (CPU seconds) and
``PORTCHECK_TEST_RLIMIT_FSIZE`` (largest file the process may write, bytes: a full disk without filling one —
Python ignores SIGXFSZ, so a write past it fails with EFBIG, as a write to a full disk fails with ENOSPC).
"""

from __future__ import annotations

import os
import resource
import sys


def _limit(env: str, which: int) -> None:
    value = os.environ.get(env)
    if value:
        n = int(value)
        resource.setrlimit(which, (n, n))


if __name__ == "__main__":
    _limit("PORTCHECK_TEST_RLIMIT_AS", resource.RLIMIT_AS)
    _limit("PORTCHECK_TEST_RLIMIT_CPU", resource.RLIMIT_CPU)
    _limit("PORTCHECK_TEST_RLIMIT_FSIZE", resource.RLIMIT_FSIZE)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    from portcheck.cli import main

    main(sys.argv[1:])
