-- cronspec: the tables the Postgres adapter (cronspec.adapters.postgres) reads and writes.
-- Idempotent: safe to run on every deploy. gen_random_uuid() is built in since PostgreSQL 13.

-- One row per (organization, integration): which accounting system it syncs with and when.
CREATE TABLE IF NOT EXISTS organization_integrations (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid        NOT NULL,
    -- The CHECK is kept: a typo in the type is refused where it is written, which is what a
    -- DBA expects. The adapter does not depend on it: cronspec rejects (and logs) unknown
    -- types itself, because other tables it is pointed at (older ones, views, a Supabase
    -- project without this DDL) may lack the constraint. The tests prove that on a table
    -- created without the CHECK.
    integration_type text        NOT NULL
        CONSTRAINT organization_integrations_type_check
        CHECK (integration_type IN ('xledger', 'dynamics', 'bufdir')),
    -- NULL: no schedule (excluded silently). Not checked here: cron syntax is validated by
    -- cronspec, which reports the field and column of the mistake.
    cron_schedule    text        NULL,
    is_enabled       boolean     NOT NULL DEFAULT true,
    -- IANA zone name the schedule is read in ('Europe/Oslo'); NULL means UTC.
    timezone         text        NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS organization_integrations_organization_id_idx
    ON organization_integrations (organization_id);

-- One row per run a worker has claimed. The UNIQUE constraint integration_runs_once on
-- (integration_id, scheduled_at) is the exactly-once guarantee: replicas race with
-- INSERT ... ON CONFLICT DO NOTHING and only the winner runs the export.
-- scheduled_at is the fire time in UTC, truncated to the minute (the run's identity, see
-- DueIntegration.idempotency_key); claimed_at - scheduled_at is the drift.
CREATE TABLE IF NOT EXISTS integration_runs (
    integration_id  uuid        NOT NULL,
    organization_id uuid        NOT NULL,
    scheduled_at    timestamptz NOT NULL,
    claimed_at      timestamptz NOT NULL DEFAULT now(),
    worker          text        NOT NULL,
    CONSTRAINT integration_runs_once UNIQUE (integration_id, scheduled_at)
);

-- "What ran recently / how late were we": monitoring reads by time.
CREATE INDEX IF NOT EXISTS integration_runs_scheduled_at_idx
    ON integration_runs (scheduled_at);
