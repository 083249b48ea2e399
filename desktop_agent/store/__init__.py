"""Persistence on SQLite through peewee: schema, migrations, search and the store API."""
