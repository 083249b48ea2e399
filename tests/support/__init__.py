"""Test helpers shared by every test package: the loopback provider, stores, fixtures."""
