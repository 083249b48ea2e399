"""Peewee models mapped onto the tables that schema.py creates (never used to create them).

Foreign keys are declared in the DDL; here they are plain `*_id` columns, so rows never
lazy-load related rows behind a caller's back.
"""

from __future__ import annotations

from peewee import (
    AutoField,
    BooleanField,
    FloatField,
    IntegerField,
    Model,
    TextField,
)

from desktop_agent.store.db import database


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Agent(BaseModel):
    id = AutoField()
    name = TextField(unique=True)
    system_prompt = TextField(default="")
    primary_model = TextField(default="")
    fast_model = TextField(default="")
    baseline = TextField()  # JSON weights
    learning_rate = FloatField(default=0.15)
    decay = FloatField(default=0.0)
    created_at = FloatField()
    deleted_at = FloatField(null=True)


class UserProfile(BaseModel):
    id = AutoField()
    handle = TextField(unique=True)
    display_name = TextField(default="")
    created_at = FloatField()


class LearnedState(BaseModel):
    user_id = IntegerField()
    agent_id = IntegerField()
    weights = TextField()
    updated_at = FloatField()

    class Meta:
        primary_key = False
        table_name = "learned_state"


class Session(BaseModel):
    id = TextField(primary_key=True)
    title = TextField()
    agent_id = IntegerField()
    user_id = IntegerField()
    created_at = FloatField()
    updated_at = FloatField()
    pinned = BooleanField(default=False)
    trashed_at = FloatField(null=True)
    goal = TextField(default="")
    goal_progress = FloatField(null=True)
    weights = TextField()
    learning_enabled = BooleanField(default=True)
    message_count = IntegerField(default=0)
    preview = TextField(default="")
    experiment_id = TextField(null=True)
    arm = TextField(null=True)


class Message(BaseModel):
    id = AutoField()
    session_id = TextField()
    seq = IntegerField()
    parent_id = IntegerField(null=True)
    active = BooleanField(default=True)
    role = TextField()
    content = TextField()
    status = TextField()
    status_reason = TextField(default="")
    model = TextField(default="")
    weights = TextField(null=True)
    created_at = FloatField()
    updated_at = FloatField()


class Feedback(BaseModel):
    message_id = IntegerField(primary_key=True)
    rating = IntegerField()
    tags = TextField(default="[]")
    created_at = FloatField()


class WeightEvent(BaseModel):
    id = AutoField()
    scope = TextField()
    session_id = TextField(null=True)
    user_id = IntegerField(null=True)
    agent_id = IntegerField()
    weight = TextField()
    old = FloatField()
    new = FloatField()
    cause = TextField()
    message_id = IntegerField(null=True)
    created_at = FloatField()


class Compaction(BaseModel):
    id = AutoField()
    session_id = TextField()
    upto_seq = IntegerField()
    upto_message_id = IntegerField()
    summary = TextField()
    model = TextField(default="")
    created_at = FloatField()


class Snapshot(BaseModel):
    id = TextField(primary_key=True)
    name = TextField()
    agent_name = TextField()
    weights = TextField()
    learning_rate = FloatField()
    decay = FloatField()
    created_at = FloatField()
    parent_id = TextField(null=True)
    source_session_id = TextField(null=True)
    validation = TextField(null=True)
    notes = TextField(default="")


class Experiment(BaseModel):
    id = TextField(primary_key=True)
    name = TextField(unique=True)
    agent_id = IntegerField()
    snapshot_a = TextField()
    snapshot_b = TextField()
    split = FloatField()
    status = TextField()
    created_at = FloatField()
    stopped_at = FloatField(null=True)
    promoted = TextField(null=True)


class ExperimentAssignment(BaseModel):
    experiment_id = TextField()
    user_id = IntegerField()
    arm = TextField()
    assigned_at = FloatField()

    class Meta:
        primary_key = False
        table_name = "experiment_assignment"
