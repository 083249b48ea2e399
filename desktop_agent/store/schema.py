"""Forward-only schema migrations; `PRAGMA user_version` records the version applied.

Each step is plain DDL so the schema reads in one place and never depends on how the
peewee models happen to be declared today.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import SqliteDatabase

Migration = tuple[int, Callable[[SqliteDatabase], None]]

_V1 = """
CREATE TABLE agent (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    system_prompt TEXT NOT NULL DEFAULT '',
    primary_model TEXT NOT NULL DEFAULT '',
    fast_model TEXT NOT NULL DEFAULT '',
    baseline TEXT NOT NULL,
    learning_rate REAL NOT NULL DEFAULT 0.15,
    decay REAL NOT NULL DEFAULT 0.0,
    created_at REAL NOT NULL,
    deleted_at REAL
);
CREATE TABLE user_profile (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
CREATE TABLE learned_state (
    user_id INTEGER NOT NULL REFERENCES user_profile(id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agent(id) ON DELETE CASCADE,
    weights TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (user_id, agent_id)
);
CREATE TABLE session (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    agent_id INTEGER NOT NULL REFERENCES agent(id),
    user_id INTEGER NOT NULL REFERENCES user_profile(id),
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    pinned INTEGER NOT NULL DEFAULT 0,
    trashed_at REAL,
    goal TEXT NOT NULL DEFAULT '',
    goal_progress REAL,
    weights TEXT NOT NULL,
    learning_enabled INTEGER NOT NULL DEFAULT 1,
    message_count INTEGER NOT NULL DEFAULT 0,
    preview TEXT NOT NULL DEFAULT '',
    experiment_id TEXT,
    arm TEXT
);
CREATE INDEX session_recent ON session (pinned DESC, updated_at DESC) WHERE trashed_at IS NULL;
CREATE INDEX session_trash ON session (trashed_at DESC) WHERE trashed_at IS NOT NULL;
CREATE INDEX session_owner ON session (user_id, agent_id, updated_at DESC);
CREATE INDEX session_experiment ON session (experiment_id) WHERE experiment_id IS NOT NULL;

CREATE TABLE message (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES session(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    parent_id INTEGER REFERENCES message(id) ON DELETE SET NULL,
    active INTEGER NOT NULL DEFAULT 1,
    role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
    content TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('complete', 'incomplete', 'error')),
    status_reason TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    weights TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX message_conversation ON message (session_id, active, seq);
CREATE INDEX message_versions ON message (session_id, seq, id);
CREATE INDEX message_parent ON message (parent_id);

-- External-content index: the text lives once, in `message`; triggers keep it in step.
CREATE VIRTUAL TABLE message_fts USING fts5 (
    content, content='message', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
    INSERT INTO message_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
    INSERT INTO message_fts (message_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER message_fts_update AFTER UPDATE OF content ON message BEGIN
    INSERT INTO message_fts (message_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO message_fts (rowid, content) VALUES (new.id, new.content);
END;

CREATE TABLE feedback (
    message_id INTEGER PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    tags TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL
);

CREATE TABLE weight_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL CHECK (scope IN ('session', 'user', 'agent')),
    session_id TEXT REFERENCES session(id) ON DELETE CASCADE,
    user_id INTEGER,
    agent_id INTEGER NOT NULL,
    weight TEXT NOT NULL,
    old REAL NOT NULL,
    new REAL NOT NULL,
    cause TEXT NOT NULL,
    message_id INTEGER,
    created_at REAL NOT NULL
);
CREATE INDEX weight_event_session ON weight_event (session_id, id) WHERE session_id IS NOT NULL;
CREATE INDEX weight_event_owner ON weight_event (scope, agent_id, user_id, id);

CREATE TABLE compaction (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES session(id) ON DELETE CASCADE,
    upto_seq INTEGER NOT NULL,
    upto_message_id INTEGER NOT NULL,
    summary TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
CREATE INDEX compaction_session ON compaction (session_id, upto_seq);

CREATE TABLE snapshot (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    agent_name TEXT NOT NULL,
    weights TEXT NOT NULL,
    learning_rate REAL NOT NULL,
    decay REAL NOT NULL,
    created_at REAL NOT NULL,
    parent_id TEXT,
    source_session_id TEXT,
    validation TEXT,
    notes TEXT NOT NULL DEFAULT ''
);

CREATE TABLE experiment (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    agent_id INTEGER NOT NULL REFERENCES agent(id),
    snapshot_a TEXT NOT NULL REFERENCES snapshot(id),
    snapshot_b TEXT NOT NULL REFERENCES snapshot(id),
    split REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'stopped')),
    created_at REAL NOT NULL,
    stopped_at REAL,
    promoted TEXT
);
CREATE TABLE experiment_assignment (
    experiment_id TEXT NOT NULL REFERENCES experiment(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES user_profile(id) ON DELETE CASCADE,
    arm TEXT NOT NULL CHECK (arm IN ('a', 'b')),
    assigned_at REAL NOT NULL,
    PRIMARY KEY (experiment_id, user_id)
);
"""


def _run_script(db: SqliteDatabase, script: str) -> None:
    # executescript would COMMIT the surrounding transaction; run statement by statement.
    for statement in _split_statements(script):
        db.execute_sql(statement)


def _split_statements(script: str) -> list[str]:
    import sqlite3

    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return [s for s in statements if s]


def _v1(db: SqliteDatabase) -> None:
    _run_script(db, _V1)


# Version 2: the shown branch gets a partial index of its own that also covers `active`:
# the newest page of a 100,000-message session (`ORDER BY seq DESC LIMIT 60`), the last
# position (append, count) are seeks on it, the last two without reading the table.
# `message_conversation (session_id, active, seq)` could not serve `ORDER BY seq` under
# the truthy `active` term (SQLite sorted or walked the versions index instead); it
# goes, and with it ~60 MB per 1M messages that overlapped `message_versions`.
_V2 = """
CREATE INDEX message_active ON message (session_id, seq, active) WHERE active;
DROP INDEX message_conversation;
"""


def _v2(db: SqliteDatabase) -> None:
    _run_script(db, _V2)


# Version 3: where imported conversations came from (another app's export), so a newer
# export of the same account adds only what is new. `import_message` maps each node of
# the export to the stored message; `kind` and `reasoning` keep what the other app
# marked (thoughts, tool traffic, custom instructions) apart from the words sent back.
_V3 = """
CREATE TABLE import_source (
    session_id TEXT PRIMARY KEY REFERENCES session(id) ON DELETE CASCADE,
    app TEXT NOT NULL,
    source_id TEXT NOT NULL,
    instructions TEXT NOT NULL DEFAULT '',
    imported_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    -- the export's own last-change stamp: an equal one on re-import means "unchanged"
    -- without reading the conversation's tree
    source_version TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX import_source_key ON import_source (app, source_id);
CREATE TABLE import_message (
    message_id INTEGER PRIMARY KEY REFERENCES message(id) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES session(id) ON DELETE CASCADE,
    source_key TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'text'
        CHECK (kind IN ('text', 'reasoning', 'tool', 'instructions')),
    reasoning TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX import_message_key ON import_message (session_id, source_key);
"""


def _v3(db: SqliteDatabase) -> None:
    _run_script(db, _V3)


MIGRATIONS: tuple[Migration, ...] = ((1, _v1), (2, _v2), (3, _v3))
