-- cronspec: the SQLite ledger (cronspec.SQLiteLedger). The same tables and statuses as the
-- PostgreSQL ledger (adapters/postgres/schema.sql). Times are UTC text of a fixed
-- width ('2026-12-01T02:00:00.000000Z'), so they sort and compare as text.

-- name: install
CREATE TABLE IF NOT EXISTS integration_runs (
    integration_id   TEXT    NOT NULL,
    organization_id  TEXT    NOT NULL,
    integration_type TEXT,
    scheduled_at     TEXT    NOT NULL,
    period_start     TEXT,
    status           TEXT    NOT NULL DEFAULT 'succeeded' CHECK (status IN
        ('pending', 'running', 'succeeded', 'failed', 'dead', 'missed', 'coalesced')),
    attempts         INTEGER NOT NULL DEFAULT 1,
    worker           TEXT,
    claimed_at       TEXT    NOT NULL,  -- when the row was planned
    started_at       TEXT,
    finished_at      TEXT,
    lease_until      TEXT,
    retry_at         TEXT,
    error            TEXT,
    covered_by       TEXT,
    CONSTRAINT integration_runs_once UNIQUE (integration_id, scheduled_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS integration_runs_single_flight
    ON integration_runs (integration_id) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS integration_runs_pending
    ON integration_runs (scheduled_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS integration_runs_retry
    ON integration_runs (retry_at) WHERE status = 'failed';
CREATE INDEX IF NOT EXISTS integration_runs_lease
    ON integration_runs (lease_until) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS integration_runs_open_by_integration
    ON integration_runs (integration_id, scheduled_at)
    WHERE status IN ('pending', 'running', 'failed');
CREATE INDEX IF NOT EXISTS integration_runs_scheduled_at_idx ON integration_runs (scheduled_at);
CREATE TABLE IF NOT EXISTS integration_runs_watermark (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    planned_until TEXT
);
INSERT OR IGNORE INTO integration_runs_watermark (id) VALUES (1);

-- name: watermark
SELECT planned_until FROM integration_runs_watermark WHERE id = 1;

-- name: advance
UPDATE integration_runs_watermark
SET planned_until = max(coalesce(planned_until, :until), :until)
WHERE id = 1;

-- name: insert
INSERT INTO integration_runs (integration_id, organization_id, integration_type, scheduled_at,
    period_start, status, covered_by, attempts, claimed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)
ON CONFLICT (integration_id, scheduled_at) DO NOTHING;

-- name: expire
-- Leases that expired on the last allowed attempt: the run is dead, not retaken.
UPDATE integration_runs
SET status = 'dead', finished_at = :now, lease_until = NULL,
    error = 'lease expired on attempt ' || attempts || ' of ' || :max_attempts
        || ' (worker ' || coalesce(worker, '?') || ')'
WHERE status = 'running' AND lease_until < :now AND attempts >= :max_attempts
RETURNING organization_id, integration_id, integration_type, scheduled_at, period_start,
    attempts, worker;

-- name: take
-- Runs whose retry time has come and runs whose lease expired, then pending runs oldest
-- first; each the earliest open row of its integration with no other row of it running:
-- one run per integration at a time, its periods in order.
UPDATE integration_runs
SET status = 'running', attempts = attempts + 1, worker = :worker, started_at = :now,
    lease_until = :lease_until, retry_at = NULL, finished_at = NULL
WHERE rowid IN (
    SELECT id FROM (
        SELECT * FROM (
            SELECT r.rowid AS id FROM integration_runs AS r
            WHERE r.status = 'failed' AND r.retry_at <= :now
            ORDER BY r.retry_at)
        UNION ALL
        SELECT * FROM (
            SELECT r.rowid AS id FROM integration_runs AS r
            WHERE r.status = 'running' AND r.lease_until < :now
            ORDER BY r.lease_until)
        UNION ALL
        SELECT * FROM (
            SELECT r.rowid AS id FROM integration_runs AS r
            WHERE r.status = 'pending' AND r.scheduled_at <= :now
            ORDER BY r.scheduled_at)
    ) AS takeable
    WHERE NOT EXISTS (
        SELECT 1 FROM integration_runs AS r, integration_runs AS e
        WHERE r.rowid = takeable.id
          AND e.integration_id = r.integration_id
          AND e.status IN ('pending', 'running', 'failed')
          AND (e.scheduled_at < r.scheduled_at
               OR (e.status = 'running' AND e.rowid <> r.rowid)))
    LIMIT :limit)
RETURNING organization_id, integration_id, integration_type, scheduled_at, period_start,
    attempts;

-- name: finish
-- Only while the row is still this worker's attempt: a stale worker changes nothing.
UPDATE integration_runs
SET status = :status, finished_at = :now, lease_until = NULL,
    error = coalesce(:error, error), retry_at = :retry_at
WHERE integration_id = :integration_id AND scheduled_at = :scheduled_at
  AND status = 'running' AND worker = :worker AND attempts = :attempt;

-- name: heartbeat
UPDATE integration_runs SET lease_until = :lease_until
WHERE integration_id = :integration_id AND scheduled_at = :scheduled_at
  AND status = 'running' AND worker = :worker AND attempts = :attempt;

-- name: history
SELECT organization_id, integration_id, integration_type, scheduled_at, period_start, worker,
    status, attempts, claimed_at, started_at, finished_at, error, covered_by
FROM integration_runs
WHERE scheduled_at >= :since AND scheduled_at < :until
  AND status IN (SELECT value FROM json_each(:statuses))
ORDER BY scheduled_at, integration_id
LIMIT :limit;
