"""Errors raised by store functions for requests that cannot be honoured.

The front ends (ui/, commands/) catch these by type, so they live apart from the
store's implementation and may be imported from anywhere.
"""


class StoreError(Exception):
    """The database cannot be opened safely. The message says why and what to do."""


class StoreOfflineError(StoreError):
    """The team store's server cannot be reached (down, restarting, network cut), or the
    connection dropped during a write whose outcome is unknown. Nothing stored is lost;
    the next attempt reconnects."""


class NotFoundError(LookupError):
    """No row matches the id or name given. The message names what was looked for."""


class ConflictError(ValueError):
    """The change would break a rule, e.g. a duplicate agent name."""


class DiskFullError(StoreError):
    """A write failed because the disk is full. The message says which disk and how much
    is left; nothing stored was changed (the caller turns read-only until space returns)."""
