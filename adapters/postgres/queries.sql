-- cronspec: every statement PostgresLedger runs, by name (tables in schema.sql). Each runs
-- in a transaction of the ledger's own, after `bounds`. `now` is the scheduler's clock when
-- it has one; NULL means the database's, statement_timestamp(), so replicas agree.

-- name: bounds
-- Per transaction (SET LOCAL), so it also holds behind a transaction-mode pooler.
SELECT set_config('lock_timeout', %(lock_timeout)s, true),
       set_config('statement_timeout', %(statement_timeout)s, true),
       coalesce(%(now)s::timestamptz, statement_timestamp());

-- name: lock_watermark
-- A replica that cannot lock it skips planning this tick: another one is planning.
SELECT planned_until FROM integration_runs_watermark WHERE id FOR UPDATE SKIP LOCKED;

-- name: watermark_rows
SELECT count(*) FROM integration_runs_watermark;

-- name: advance
UPDATE integration_runs_watermark SET planned_until = greatest(planned_until, %(until)s)
WHERE id;

-- name: insert
INSERT INTO integration_runs (integration_id, organization_id, integration_type, scheduled_at,
    period_start, status, covered_by, attempts, claimed_at)
SELECT integration_id, organization_id, integration_type, scheduled_at, period_start, status,
    covered_by, 0, %(now)s
FROM unnest(%(ids)s::text[], %(orgs)s::text[], %(types)s::text[], %(times)s::timestamptz[],
    %(periods)s::timestamptz[], %(statuses)s::text[], %(covered)s::timestamptz[])
    AS o(integration_id, organization_id, integration_type, scheduled_at, period_start, status,
        covered_by)
ON CONFLICT (integration_id, scheduled_at) DO NOTHING;

-- name: expire
-- Leases that expired on the last allowed attempt: the run is dead, not retaken.
UPDATE integration_runs
SET status = 'dead', finished_at = %(now)s, lease_until = NULL,
    error = format('lease expired on attempt %%s of %%s (worker %%s)', attempts,
        %(max_attempts)s, coalesce(worker, '?'))
WHERE status = 'running' AND lease_until < %(now)s AND attempts >= %(max_attempts)s
RETURNING organization_id, integration_id, integration_type, scheduled_at, period_start,
    attempts, worker;

-- name: take
-- Runs whose retry time has come and runs whose lease expired, then pending runs oldest
-- first; each the earliest open row of its integration with no other row of it running:
-- one run per integration at a time, its periods in order. Each part reads its own small
-- index; rows other replicas are taking are skipped, not waited for.
WITH retry AS (
    SELECT r.ctid, r.scheduled_at FROM integration_runs AS r
    WHERE r.status = 'failed' AND r.retry_at <= %(now)s AND NOT EXISTS (
        SELECT FROM integration_runs AS e
        WHERE e.integration_id = r.integration_id
          AND e.status IN ('pending', 'running', 'failed')
          AND (e.scheduled_at < r.scheduled_at OR e.status = 'running'))
    ORDER BY r.retry_at LIMIT %(limit)s
    FOR UPDATE OF r SKIP LOCKED
), expired AS (
    SELECT r.ctid, r.scheduled_at FROM integration_runs AS r
    WHERE r.status = 'running' AND r.lease_until < %(now)s AND NOT EXISTS (
        SELECT FROM integration_runs AS e
        WHERE e.integration_id = r.integration_id
          AND e.status IN ('pending', 'running', 'failed')
          AND e.scheduled_at < r.scheduled_at)
    ORDER BY r.lease_until LIMIT %(limit)s
    FOR UPDATE OF r SKIP LOCKED
), pending AS (
    SELECT r.ctid, r.scheduled_at FROM integration_runs AS r
    WHERE r.status = 'pending' AND r.scheduled_at <= %(now)s AND NOT EXISTS (
        SELECT FROM integration_runs AS e
        WHERE e.integration_id = r.integration_id
          AND e.status IN ('pending', 'running', 'failed')
          AND (e.scheduled_at < r.scheduled_at OR e.status = 'running'))
    ORDER BY r.scheduled_at LIMIT %(limit)s
    FOR UPDATE OF r SKIP LOCKED
), taken AS (
    SELECT ctid FROM (TABLE retry UNION ALL TABLE expired UNION ALL TABLE pending) AS t
    LIMIT %(limit)s
)
UPDATE integration_runs AS r
SET status = 'running', attempts = r.attempts + 1, worker = %(worker)s, started_at = %(now)s,
    lease_until = %(now)s + %(lease)s, retry_at = NULL, finished_at = NULL
WHERE r.ctid = ANY (ARRAY(SELECT ctid FROM taken))  -- locked above: the row stays put
RETURNING r.organization_id, r.integration_id, r.integration_type, r.scheduled_at,
    r.period_start, r.attempts;

-- name: finish
-- Only while the row is still this worker's attempt: a stale worker changes nothing.
UPDATE integration_runs
SET status = %(status)s, finished_at = %(now)s, lease_until = NULL,
    error = coalesce(%(error)s, error), retry_at = %(now)s + %(retry_delay)s::interval
WHERE integration_id = %(integration_id)s AND scheduled_at = %(scheduled_at)s
  AND status = 'running' AND worker = %(worker)s AND attempts = %(attempt)s;

-- name: heartbeat
UPDATE integration_runs AS r SET lease_until = %(now)s + %(lease)s
FROM unnest(%(ids)s::text[], %(times)s::timestamptz[], %(workers)s::text[],
    %(attempts)s::integer[]) AS b(integration_id, scheduled_at, worker, attempt)
WHERE r.integration_id = b.integration_id AND r.scheduled_at = b.scheduled_at
  AND r.status = 'running' AND r.worker = b.worker AND r.attempts = b.attempt
RETURNING r.integration_id, r.scheduled_at;

-- name: history
SELECT organization_id, integration_id, integration_type, scheduled_at, period_start, worker,
    status, attempts, claimed_at, started_at, finished_at, error, covered_by
FROM integration_runs
WHERE scheduled_at >= %(since)s AND scheduled_at < %(until)s
  AND status = ANY(%(statuses)s::text[])
ORDER BY scheduled_at, integration_id
LIMIT %(limit)s;
