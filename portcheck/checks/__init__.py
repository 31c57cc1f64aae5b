"""Checks on one export: validity (Great Expectations), duplicates, referential integrity, declared totals."""
