-- Every bulk-replay batch writes its 500 items' outcomes (status, error, attempts, batch,
-- finished_at). Both secondary indexes held status, so each of those updates was a new heap
-- tuple plus an entry in all three indexes (16-20 ms a batch at 500). Without status in any index,
-- and with room on the page for the new version, the update is HOT: the tuple stays on its page
-- and no index is touched.
--
-- - The lane's next items: (job_id, lane, seq) from the lane's cursor, status as a filter (past the
--   cursor nearly every item is pending).
-- - The job detail's failures: only rows with an error (a moved item's error stays null, so that
--   index is not touched either).
-- - Counting what is left (once, at the end of a job) and cancelling read the job's rows by the
--   primary key.
DROP INDEX "bulk_job_item_job_id_lane_status_seq_idx";
DROP INDEX "bulk_job_item_job_id_status_idx";
CREATE INDEX "bulk_job_item_job_id_lane_seq_idx" ON "bulk_job_item"("job_id", "lane", "seq");
CREATE INDEX "bulk_job_item_errors_idx" ON "bulk_job_item"("job_id", "seq") WHERE error IS NOT NULL;
-- Half of each page left free at insert, so an item's one outcome write fits beside it (new pages
-- only: a job planned before this migration updates as before).
ALTER TABLE "bulk_job_item" SET (fillfactor = 50);
