"""The team store's use cases for the front ends: `store init` (and, later, copying a
store between engines), with the password looked up as everywhere else."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_agent.config.secrets import keyring_available, set_store_password, store_password
from desktop_agent.domain.errors import InvalidInputError
from desktop_agent.store import pg_schema
from desktop_agent.store.team import check_team_store, init_team_store, parse_store_url

MEMBERS_ROLE = pg_schema.MEMBERS_ROLE


@dataclass(frozen=True)
class StoreReady:
    """A team store that answered: its server, schema version and members' role."""

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


@dataclass(frozen=True)
class StoreChoice:
    """What Settings → Storage saves: the URL (checked, no password) and where its
    password went."""

    url: str  # "" for this computer's SQLite file
    password_saved: bool = False


def storage_choice(url: str, password: str = "") -> StoreChoice:
    """Check a team store URL for Settings → Storage and save its password (if typed) in
    the OS keyring — never in the settings. Raises InvalidInputError naming the problem:
    a bad URL, or a password with no keyring to keep it."""
    text = url.strip()
    if not text:
        return StoreChoice("")
    address = parse_store_url(text)
    if not password:
        return StoreChoice(address.url)
    if not keyring_available() or not set_store_password(address.display, password):
        raise InvalidInputError(
            "there is no system keyring here to keep the password: leave the password "
            "empty and set PGPASSWORD, or add a line to ~/.pgpass "
            f"({address.host}:{address.port}:{address.database}:{address.role}:PASSWORD)"
        )
    return StoreChoice(address.url, password_saved=True)


def shown_store(url: str) -> str:
    """A team store as messages name it (never a password; a URL that holds one, or is
    not a store URL at all, is not repeated)."""
    try:
        return parse_store_url(url).display
    except InvalidInputError:
        return "named by --store"
