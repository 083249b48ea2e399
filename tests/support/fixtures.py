"""Fixtures registered for every test (see tests/conftest.py)."""

from __future__ import annotations
