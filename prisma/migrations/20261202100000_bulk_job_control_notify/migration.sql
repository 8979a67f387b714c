-- A running bulk job re-read its row before every batch (a round trip on the lane's critical path,
-- 2-4 ms of a ~100 ms batch) only to see whether an operator paused, cancelled or changed it. Now
-- a change to what the runner acts on notifies it: the worker LISTENs on bulk_job_control
-- (lib/db/sql.ts subscribe()) and re-reads the row when the job's id arrives, and at least once a
-- second anyway. The counters (done, failed, skipped, returned, updated every batch) and the lease
-- time (renewed every few seconds) do not notify. Any writer is covered, another replica's API
-- or a hand-run UPDATE alike; the notification is delivered when the change commits.
CREATE FUNCTION bulk_job_notify_control() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('bulk_job_control', NEW.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER bulk_job_control_changed
  AFTER UPDATE ON "bulk_job"
  FOR EACH ROW
  WHEN (
    OLD.status IS DISTINCT FROM NEW.status
    OR OLD.phase IS DISTINCT FROM NEW.phase
    OR OLD.rate_per_second IS DISTINCT FROM NEW.rate_per_second
    OR OLD.concurrency IS DISTINCT FROM NEW.concurrency
    OR OLD.batch_size IS DISTINCT FROM NEW.batch_size
    OR OLD.return_threshold IS DISTINCT FROM NEW.return_threshold
    OR OLD.failure_threshold IS DISTINCT FROM NEW.failure_threshold
    OR OLD.worker_id IS DISTINCT FROM NEW.worker_id
  )
  EXECUTE FUNCTION bulk_job_notify_control();
