"""CLI: suite commands (stub; filled in by its issue)."""

from __future__ import annotations

COMMANDS: list = []
