"""Memory allocators tuned for one large batch run: the ``portcheck check`` command (in a process of its
own, not a caller's ``main(argv)``) calls :func:`tune_for_batch`.

A check allocates and frees gigabytes in buffers of megabytes (columns, their cleaned copies, masks). By
default both allocators give freed memory back to the kernel within milliseconds, so the next buffer
gets fresh pages the kernel must zero first: on the 1M-contact bench a quarter of all CPU time was
``clear_page`` in the kernel. Keeping freed memory for reuse removes most of that (peak RSS grows by
~0.1 GB there):

- Arrow's mimalloc: ``MIMALLOC_PURGE_DELAY=-1`` (never purge) and ``MIMALLOC_ALLOW_THP=0`` (its arena on
  small pages), which must be set before pyarrow loads;
- glibc malloc (numpy's arrays): big blocks from the heap rather than their own mappings, the heap not
  trimmed, and one arena for all threads (``mallopt`` at run time). A second thread's arena is made of
  64 MB heaps, so its larger arrays got mappings of their own, unmapped when freed and zeroed again when
  the next one came: 0.7 GB of such churn per 1M-contact run;
- OpenBLAS (loaded with numpy) without its thread pool, which portcheck never uses but which spins.

Huge pages: mimalloc asks for them on its whole 1 GB arena; each first touch then zeroes 2 MB, and when the
kernel has no free 2 MB block at hand it compacts memory first, in the faulting thread. Without them for
Arrow's buffers, the 1M-contact bench's system time is 1.1-1.3 s instead of 1.5-2.5 s (wall -0.2 s),
and the 3M run is unchanged (17.3 vs 16.8 s). numpy's large arrays keep them. Turning them off for the
whole process (``PR_SET_THP_DISABLE``) also steadied 1M but made 3M 30 % slower (6 GB of 4 KB faults).

DuckDB's idle threads trim glibc's heap on their own: see ``checks._arrow.start_duckdb``.

``PORTCHECK_ALLOCATOR=default`` leaves all of them as they are. Values a user set in the environment win.
"""

from __future__ import annotations

import os
import sys

_MMAP_THRESHOLD = 512 << 20  # blocks below this come from the heap (glibc's default grows to 32 MB)
_TRIM_THRESHOLD = 1 << 30
_BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def tune_for_batch() -> bool:
    """Tune the allocators for this process; True when something was changed. Call before pyarrow loads."""
    if os.environ.get("PORTCHECK_ALLOCATOR", "").lower() == "default":
        return False
    changed = False
    if "pyarrow" not in sys.modules:
        for name, value in (("MIMALLOC_PURGE_DELAY", "-1"), ("MIMALLOC_ALLOW_THP", "0")):
            if name not in os.environ:
                os.environ[name] = value
                changed = True
    if "numpy" not in sys.modules and not any(k in os.environ for k in _BLAS_THREAD_VARS):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"  # portcheck does no float linear algebra: no spinning pool
        changed = True
    if sys.platform.startswith("linux") and not any(k.startswith("MALLOC_") for k in os.environ) \
            and "GLIBC_TUNABLES" not in os.environ:
        changed |= _glibc_mallopt()
    return changed


def _glibc_mallopt() -> bool:
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, …): nothing to tune
        return False
    m_trim_threshold, m_mmap_threshold, m_arena_max = -1, -3, -8  # <malloc.h>
    settings = ((m_mmap_threshold, _MMAP_THRESHOLD), (m_trim_threshold, _TRIM_THRESHOLD), (m_arena_max, 1))
    return all([bool(mallopt(option, value)) for option, value in settings])
