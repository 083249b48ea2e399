"""Errors raised by store functions for requests that cannot be honoured."""


class NotFoundError(LookupError):
    """No row matches the id or name given. The message names what was looked for."""


class ConflictError(ValueError):
    """The change would break a rule, e.g. a duplicate agent name."""
