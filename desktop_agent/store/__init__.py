"""Persistence through peewee: SQLite by default, or a PostgreSQL team store; schema,
migrations, search and the store API."""

import sys

# peewee imports a PostgreSQL driver eagerly when one is installed: psycopg costs
# ~150 ms, half the cold-start budget, and only a team store needs it. Hide it from
# peewee's import; store.engine loads it on first use of a team store.
if "peewee" not in sys.modules:
    sys.modules.setdefault("psycopg", None)  # type: ignore[arg-type]
