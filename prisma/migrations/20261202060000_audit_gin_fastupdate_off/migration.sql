-- The prior-replay lookup (lib/audit/query.ts, replayRows) reads the GIN index on message_ids
-- before every bulk-replay batch, and every single replay and message view. With fastupdate on,
-- new rows' entries wait in a pending list (up to gin_pending_list_limit, 4 MB) that every lookup
-- scans in full until a vacuum or the limit merges it: a bulk lane adds two 500-id rows a batch,
-- and the lookup grew to 38 ms a batch at 40,000 messages. Off, each row's entries go into the
-- tree as it is inserted: the lookup took 11 ms, and the inserting statement no longer than before.
ALTER INDEX "audit_log_message_ids_idx" SET (fastupdate = off);
