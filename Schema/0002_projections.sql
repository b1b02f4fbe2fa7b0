-- Projection bookkeeping: one row per read model, holding how far it has read the log.
-- A runner writes a batch's rows and this checkpoint in the same transaction, so a
-- read model is always exactly "the log up to `position`", whatever crashes.

CREATE TABLE projection_checkpoints (
    name            text        PRIMARY KEY,
    version         integer     NOT NULL,
    position        bigint      NOT NULL DEFAULT 0 CHECK (position >= 0),
    status          text        NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'failed')),
    error           text,
    failed_position bigint,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Read models built "as of" a past point for auditors, each in a schema of its own.
CREATE TABLE projection_snapshots (
    schema_name  text        PRIMARY KEY,
    projection   text        NOT NULL,
    version      integer     NOT NULL,
    position     bigint      NOT NULL,
    as_of        timestamptz,
    complete     boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now()
);
