"""The API key: in the OS keyring, or else a user-only file with a visible warning.

Never in the database, an export or a log.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

SERVICE = "desktop-agent"
ACCOUNT = "api-key"
FALLBACK_NAME = "api-key.secret"
# Not a secret: records that a key was put in the keyring, so "is a key stored?" needs
# no keyring import or D-Bus call at start-up.
LOCATION_NAME = "api-key.location"


@dataclass(frozen=True)
class KeyStatus:
    """Where API keys are kept on this computer, and what to tell the user about it."""

    backend: str  # "keyring" | "file" | "none"
    warning: str  # shown to the user when not empty


def _keyring():  # type: ignore[no-untyped-def]
    """The keyring module if a real backend exists, else None (headless Linux has none)."""
    if os.environ.get("DESKTOP_AGENT_NO_KEYRING"):
        return None
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        # keyrings.alt's plaintext backends are refused on purpose.
        if isinstance(backend, fail.Keyring) or "keyrings.alt" in type(backend).__module__:
            return None
        return keyring
    except Exception:  # noqa: BLE001 - any import/backend failure means "no keyring"
        return None


class SecretStore:
    def __init__(self, data_dir: Path) -> None:
        self._file = data_dir / FALLBACK_NAME
        self._location = data_dir / LOCATION_NAME

    def has_key(self) -> bool:
        """Whether a key was stored (cheap: looks at two files, never at the keyring)."""
        return self._file.exists() or self._location.exists()

    def status(self) -> KeyStatus:
        if _keyring() is not None:
            return KeyStatus("keyring", "")
        return KeyStatus(
            "file",
            f"No system keyring is available: the API key is kept in {self._file}, "
            "readable only by you.",
        )

    def get(self) -> str | None:
        kr = _keyring()
        if kr is not None:
            try:
                value = kr.get_password(SERVICE, ACCOUNT)
                if value:
                    return str(value)
            except Exception:  # noqa: BLE001 - a locked or broken keyring reads as empty
                pass
        from desktop_agent.config.regular_file import read_regular_file

        try:
            raw = read_regular_file(self._file, limit=64 << 10)
        except OSError:
            return None  # missing, or not a file we would trust a key from
        return raw.decode("utf-8", errors="replace").strip() or None

    def set(self, key: str) -> KeyStatus:
        key = key.strip()
        if not key:
            self.clear()
            return self.status()
        kr = _keyring()
        if kr is not None:
            try:
                kr.set_password(SERVICE, ACCOUNT, key)
                self._file.unlink(missing_ok=True)
                self._location.parent.mkdir(parents=True, exist_ok=True)
                self._location.write_text("keyring\n", encoding="utf-8")
                return KeyStatus("keyring", "")
            except Exception:  # noqa: BLE001 - fall back to the user-only file below
                pass
        self._file.parent.mkdir(parents=True, exist_ok=True)
        # Create with 0600 from the start so the key is never briefly world-readable.
        fd = os.open(self._file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key)
        os.chmod(self._file, stat.S_IRUSR | stat.S_IWUSR)
        return self.status()

    def clear(self) -> None:
        kr = _keyring()
        if kr is not None:
            try:
                kr.delete_password(SERVICE, ACCOUNT)
            except Exception:  # noqa: BLE001 - nothing stored is fine
                pass
        self._file.unlink(missing_ok=True)
        self._location.unlink(missing_ok=True)


STORE_SERVICE = "desktop-agent-store"


def store_password(store: str) -> str | None:
    """A team store's password saved in the OS keyring (Settings → Storage), keyed by
    `postgresql://ROLE@HOST:PORT/DB`. None when PGPASSWORD or a password file is there:
    libpq reads those itself, and they come first."""
    if os.environ.get("PGPASSWORD"):
        return None
    pgpass = os.environ.get("PGPASSFILE") or os.path.expanduser("~/.pgpass")
    if os.path.exists(pgpass):
        return None
    kr = _keyring()
    if kr is None:
        return None
    try:
        value = kr.get_password(STORE_SERVICE, store)
    except Exception:  # noqa: BLE001 - a locked or broken keyring reads as empty
        return None
    return str(value) if value else None


def keyring_available() -> bool:
    """Whether the OS keyring can hold a team store's password here."""
    return _keyring() is not None


def set_store_password(store: str, password: str) -> bool:
    """Save (or, when empty, forget) a team store's password in the OS keyring only:
    there is no file fallback for it. False when no keyring is available."""
    kr = _keyring()
    if kr is None:
        return False
    try:
        if password:
            kr.set_password(STORE_SERVICE, store, password)
        else:
            kr.delete_password(STORE_SERVICE, store)
    except Exception:  # noqa: BLE001 - reported to the caller as "not saved"
        return False
    return True
