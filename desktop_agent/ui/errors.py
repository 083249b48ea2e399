"""What kind of error a view reports, so the error bar offers the right way out."""

from __future__ import annotations

from enum import Enum


class ErrorKind(Enum):
    """The kind of an error signal; views branch on this, never on the message text."""

    FAILED = "failed"  # nothing to offer but dismissing it
    RETRYABLE = "retryable"  # Retry makes sense (the reply failed; its row is kept)
    NOT_CONFIGURED = "not_configured"  # no provider yet: offer Settings…
