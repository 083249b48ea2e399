"""The team store's use cases for the front ends: `store init` (and, later, copying a
store between engines), with the password looked up as everywhere else."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_agent.config.secrets import store_password
from desktop_agent.store import pg_schema
from desktop_agent.store.team import check_team_store, init_team_store, parse_store_url

MEMBERS_ROLE = pg_schema.MEMBERS_ROLE


@dataclass(frozen=True)
class StoreReady:
    server: str  # HOST:PORT/DB, never a password
    version: int
    members_role: str


def init_store(url: str) -> StoreReady:
    """Create or upgrade the team store at `url` (run as the database's owner).

    Raises InvalidInputError (bad URL) or StoreError (the server's refusal, a newer
    schema), each naming the server and what to do."""
    address = parse_store_url(url)
    version = init_team_store(url, password=store_password(address.display))
    return StoreReady(address.server, version, MEMBERS_ROLE)


def check_store(url: str, password: str | None = None) -> str:
    """Connect to the team store at `url` once, as the app would open it, and return the
    server's HOST:PORT/DB. Raises InvalidInputError (bad URL), StoreOfflineError
    (unreachable) or StoreError (refused: password, role, schema), each naming the server
    and what to do. `password`: one typed but not saved yet; else the usual lookup."""
    address = parse_store_url(url)
    if password is None:
        password = store_password(address.display)
    return check_team_store(url, password=password).server
