-- cronspec: the tables the Postgres adapter (cronspec.adapters.postgres) reads and writes.
-- Idempotent: safe to run on every deploy. gen_random_uuid() is built in since PostgreSQL 13.
-- The first part is the application's table; PostgresLedger.install() applies only the
-- ledger part, below the line that says so.

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

-- ledger: PostgresLedger.install() applies everything below this line.
--
-- One row per occurrence (integration, nominal fire time), from the moment it is planned;
-- the statuses and how rows move between them are in cronspec/_runs.py. UNIQUE
-- (integration_id, scheduled_at) is the occurrence's identity: planning inserts with
-- ON CONFLICT DO NOTHING, so nothing is ever planned twice. Ids are text, so every id the
-- schedule map accepts is accepted here. claimed_at is when the row was planned (0.1: when
-- it was claimed); lateness is started_at - scheduled_at.
CREATE TABLE IF NOT EXISTS integration_runs (
    integration_id   text        NOT NULL,
    organization_id  text        NOT NULL,
    integration_type text        NULL,
    scheduled_at     timestamptz NOT NULL,
    period_start     timestamptz NULL,
    -- A row written without a status is a 0.1 claim: the export was attempted, and it
    -- must never run again.
    status           text        NOT NULL DEFAULT 'succeeded',
    attempts         integer     NOT NULL DEFAULT 1,
    worker           text        NULL,
    claimed_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz NULL,
    finished_at      timestamptz NULL,
    lease_until      timestamptz NULL,
    retry_at         timestamptz NULL,
    error            text        NULL,
    covered_by       timestamptz NULL,
    CONSTRAINT integration_runs_once UNIQUE (integration_id, scheduled_at)
);

-- The rest runs once: on a new table, or to upgrade a 0.1 integration_runs in place (uuid
-- ids become text; its claims become succeeded rows). The single-flight index, created
-- last, marks a ledger that needs nothing more, so a redeploy takes no table lock here.
DO $upgrade$
BEGIN
    IF to_regclass('integration_runs_single_flight') IS NOT NULL THEN
        RETURN;
    END IF;
    IF (SELECT atttypid = 'uuid'::regtype FROM pg_attribute
        WHERE attrelid = 'integration_runs'::regclass AND attname = 'integration_id') THEN
        ALTER TABLE integration_runs
            ALTER COLUMN integration_id TYPE text,
            ALTER COLUMN organization_id TYPE text;
    END IF;
    ALTER TABLE integration_runs
        ALTER COLUMN worker DROP NOT NULL,
        ADD COLUMN IF NOT EXISTS integration_type text NULL,
        ADD COLUMN IF NOT EXISTS period_start timestamptz NULL,
        ADD COLUMN IF NOT EXISTS status text NOT NULL DEFAULT 'succeeded',
        ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 1,
        ADD COLUMN IF NOT EXISTS started_at timestamptz NULL,
        ADD COLUMN IF NOT EXISTS finished_at timestamptz NULL,
        ADD COLUMN IF NOT EXISTS lease_until timestamptz NULL,
        ADD COLUMN IF NOT EXISTS retry_at timestamptz NULL,
        ADD COLUMN IF NOT EXISTS error text NULL,
        ADD COLUMN IF NOT EXISTS covered_by timestamptz NULL;
    -- 0.1 claims: started when claimed.
    UPDATE integration_runs SET started_at = claimed_at
    WHERE started_at IS NULL AND status = 'succeeded';
    ALTER TABLE integration_runs ADD CONSTRAINT integration_runs_status CHECK (status IN
        ('pending', 'running', 'succeeded', 'failed', 'dead', 'missed', 'coalesced'));
    -- "What ran recently / how late were we": people read by time.
    CREATE INDEX IF NOT EXISTS integration_runs_scheduled_at_idx
        ON integration_runs (scheduled_at);
    -- Taking reads the pending rows oldest first, the failed ones by retry time and the
    -- running ones by lease, and checks each integration's earlier open rows: every index
    -- it reads stays as small as its part of the backlog, whatever the history.
    CREATE INDEX integration_runs_pending
        ON integration_runs (scheduled_at) WHERE status = 'pending';
    CREATE INDEX integration_runs_retry
        ON integration_runs (retry_at) WHERE status = 'failed';
    CREATE INDEX integration_runs_lease
        ON integration_runs (lease_until) WHERE status = 'running';
    CREATE INDEX integration_runs_open_by_integration
        ON integration_runs (integration_id, scheduled_at)
        WHERE status IN ('pending', 'running', 'failed');
    -- Single flight: one running row per integration, enforced by the index, not a count.
    CREATE UNIQUE INDEX integration_runs_single_flight
        ON integration_runs (integration_id) WHERE status = 'running';
END
$upgrade$;

-- The watermark: everything up to planned_until is in the ledger. Planning locks this row
-- (FOR UPDATE SKIP LOCKED: one planner at a time) and moves it in the transaction that
-- inserts the occurrences it covers. NULL: nothing planned yet.
CREATE TABLE IF NOT EXISTS integration_runs_watermark (
    id            boolean     PRIMARY KEY DEFAULT true CHECK (id),
    planned_until timestamptz NULL
);
INSERT INTO integration_runs_watermark (id) VALUES (true) ON CONFLICT DO NOTHING;
