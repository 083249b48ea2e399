"""Why a weight changed: the one list of causes, as written in the event log and as
shown on screen (the drift chart's tooltips, the sliders' learning notes, the CLI)."""

from __future__ import annotations

from enum import StrEnum


class CauseKind(StrEnum):
    """The kinds of cause. Kinds with a detail are stored as "<kind>:<detail>"."""

    FEEDBACK = "feedback"  # detail: the reason tag of a thumbs up/down
    CUE = "cue"  # detail: the tag of a correction cue found in the user's next message
    REINFORCE = "reinforce"  # a thumbs up pushed the latest learned moves further
    DECAY = "decay"  # pulled back toward the agent's baseline
    MANUAL = "manual"  # set by hand (sliders, `weights set`)
    RESET = "reset"  # reset to the baseline
    SNAPSHOT = "snapshot"  # detail: the id of the snapshot applied
    SESSION = "session"  # detail: the id of the session whose weights were copied
    REVERT = "revert"  # detail: the id of the event undone

    @property
    def learned(self) -> bool:
        """Moved by the learning rule rather than by a person's explicit choice."""
        return self in _LEARNED

    @property
    def signal(self) -> bool:
        """Moved directly by something the user said (feedback or a cue)."""
        return self in (CauseKind.FEEDBACK, CauseKind.CUE)


_LEARNED = frozenset({CauseKind.FEEDBACK, CauseKind.CUE, CauseKind.REINFORCE, CauseKind.DECAY})

# On-screen text per kind; {detail} is the stored detail, {short} its first 8 characters.
_LABELS: dict[CauseKind, str] = {
    CauseKind.FEEDBACK: "feedback: {detail}",
    CauseKind.CUE: "correction cue: {detail}",
    CauseKind.REINFORCE: "thumbs up reinforced recent learning",
    CauseKind.DECAY: "decay toward the baseline",
    CauseKind.MANUAL: "set by hand",
    CauseKind.RESET: "reset to the baseline",
    CauseKind.SNAPSHOT: "snapshot {short} applied",
    CauseKind.SESSION: "learned in session {short}",
    CauseKind.REVERT: "revert of event {detail}",
}

# The short reason beside a slider that learning just moved.
_REASONS: dict[CauseKind, str] = {
    CauseKind.FEEDBACK: "{detail}",
    CauseKind.CUE: "{detail} (from your message)",
}


class Cause(str):
    """A weight event's cause: the stored text itself, with its parts and labels.

    A `str`, so it is stored, compared and printed exactly as the event log has always
    written causes; text of an unknown kind (a newer version's) still reads, as itself.
    """

    __slots__ = ()

    @classmethod
    def of(cls, kind: CauseKind, detail: object = "") -> Cause:
        text = str(detail)
        return cls(f"{kind}:{text}" if text else str(kind))

    @classmethod
    def feedback(cls, tag: str) -> Cause:
        return cls.of(CauseKind.FEEDBACK, tag)

    @classmethod
    def cue(cls, tag: str) -> Cause:
        return cls.of(CauseKind.CUE, tag)

    @classmethod
    def snapshot(cls, snapshot_id: str) -> Cause:
        return cls.of(CauseKind.SNAPSHOT, snapshot_id)

    @classmethod
    def session(cls, session_id: str) -> Cause:
        return cls.of(CauseKind.SESSION, session_id)

    @classmethod
    def revert(cls, event_id: int) -> Cause:
        return cls.of(CauseKind.REVERT, event_id)

    @property
    def kind(self) -> CauseKind | None:
        try:
            return CauseKind(self.partition(":")[0])
        except ValueError:
            return None

    @property
    def detail(self) -> str:
        return self.partition(":")[2]

    @property
    def learned(self) -> bool:
        kind = self.kind
        return kind is not None and kind.learned

    @property
    def signal(self) -> bool:
        kind = self.kind
        return kind is not None and kind.signal

    @property
    def label(self) -> str:
        """What a person reads, e.g. "correction cue: too_long" or "set by hand"."""
        kind = self.kind
        if kind is None:
            return str(self)
        return _LABELS[kind].format(detail=self.detail, short=self.detail[:8])

    @property
    def reason(self) -> str:
        """The short form beside a slider: the tag for feedback and cues, else the kind."""
        kind = self.kind
        if kind is None:
            return self.partition(":")[0]
        return _REASONS.get(kind, str(kind)).format(detail=self.detail)


MANUAL = Cause.of(CauseKind.MANUAL)
RESET = Cause.of(CauseKind.RESET)
REINFORCE = Cause.of(CauseKind.REINFORCE)
DECAY = Cause.of(CauseKind.DECAY)
