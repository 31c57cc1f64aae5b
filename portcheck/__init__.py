"""portcheck: prove, with figures and a signature, whether a CRM export is complete and faithful.

The package is organised by the axes that vary (see README, "Architecture"):

- ``portcheck.readers``  how an export is read (CSV, Excel, JSON API pages, ZIP, folders)
- ``portcheck.profiles`` which vendor layout it has (declarative profiles -> canonical tables)
- ``portcheck.checks``   what is checked on one export (validity, duplicates, orphans, totals)
- ``portcheck.compare``  completeness and fidelity against a reference
- ``portcheck.report``   how findings are written (report.json, HTML, CSV, terminal)
- ``portcheck.evidence`` signing and verification; ``portcheck.archive`` the Merkle log

Nothing here imports pandas, pyarrow, great_expectations or cryptography at import time.
"""

__version__ = "0.1.0"
