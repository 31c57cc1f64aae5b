"""Canary sets for trial export drills: data full of export traps, and which traps a vendor fell into.

- :func:`portcheck.canary.generate.generate_canary` writes a set (CSV and/or XLSX, plus ``canary.json``);
- :func:`portcheck.canary.dataset.build_canary` builds the rows in memory;
- :func:`portcheck.canary.catalog.detect_traps` lists which records carry which trap.
"""
