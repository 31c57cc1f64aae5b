"""Reporters: report.json (canonical JSON), per-object CSV files, report.html and the terminal summary.

Renderers only render: the figures are computed by the run (``portcheck.run``) into the report dict,
whose keys and meanings are DESIGN's report.json contract v1.
"""
