-- CreateTable
CREATE TABLE "operation" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "broker" TEXT NOT NULL,
    "queue_id" TEXT NOT NULL,
    "request" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "result" TEXT,
    "reason" TEXT,
    "ticket" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_claim" (
    "broker" TEXT NOT NULL,
    "queue_id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "operation_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "message_claim_pkey" PRIMARY KEY ("broker","queue_id","message_id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "operation_id" TEXT,
    "broker" TEXT,
    "queue_id" TEXT,
    "message_ids" TEXT[],
    "request" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "client_ip" TEXT,
    "user_agent" TEXT,
    "previous_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "archived_message" (
    "id" BIGSERIAL NOT NULL,
    "operation_id" TEXT NOT NULL,
    "broker" TEXT NOT NULL,
    "queue_id" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "broker_message_id" TEXT,
    "body" BYTEA NOT NULL,
    "content_type" TEXT,
    "content_encoding" TEXT,
    "properties" TEXT NOT NULL,
    "system_properties" TEXT NOT NULL,
    "partition_key" TEXT,
    "source_id" TEXT,
    "source_name" TEXT,
    "failure_reason" TEXT,
    "failure_description" TEXT,
    "archived_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "restored_at" TIMESTAMPTZ(3),
    "restored_by" TEXT,
    "restore_operation_id" TEXT,
    "restored_to" TEXT,

    CONSTRAINT "archived_message_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "operation_broker_queue_id_created_at_idx" ON "operation"("broker", "queue_id", "created_at");

-- CreateIndex
CREATE INDEX "message_claim_operation_id_idx" ON "message_claim"("operation_id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_log_previous_hash_key" ON "audit_log"("previous_hash");

-- CreateIndex
CREATE UNIQUE INDEX "audit_log_hash_key" ON "audit_log"("hash");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- CreateIndex
CREATE INDEX "audit_log_actor_id_idx" ON "audit_log"("actor", "id");

-- CreateIndex
CREATE INDEX "audit_log_broker_queue_id_id_idx" ON "audit_log"("broker", "queue_id", "id");

-- CreateIndex
CREATE INDEX "audit_log_message_ids_idx" ON "audit_log" USING GIN ("message_ids");

-- CreateIndex
CREATE INDEX "archived_message_broker_queue_id_archived_at_idx" ON "archived_message"("broker", "queue_id", "archived_at");

-- CreateIndex
CREATE INDEX "archived_message_expires_at_idx" ON "archived_message"("expires_at");

-- AddForeignKey
ALTER TABLE "message_claim" ADD CONSTRAINT "message_claim_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The audit log is append-only (DESIGN.md rule 7): UPDATE, DELETE and TRUNCATE are refused here,
-- for every role that does not first disable the trigger (which verify then catches by the hashes).
CREATE FUNCTION "audit_log_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "audit_log_append_only"
  BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_refuse_change"();

CREATE TRIGGER "audit_log_no_truncate"
  BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_refuse_change"();
