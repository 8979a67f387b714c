-- Substring search in the message index (ILIKE %term%) uses trigrams. pg_trgm is a trusted
-- extension (PostgreSQL 13+): the database owner may create it; managed Postgres services allow it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateTable
CREATE TABLE "message_index" (
    "broker" TEXT NOT NULL,
    "queue_id" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "message_id" TEXT,
    "position" INTEGER NOT NULL,
    "enqueued_at" TIMESTAMPTZ(3),
    "dead_lettered_at" TIMESTAMPTZ(3),
    "reason" TEXT,
    "description" TEXT,
    "fingerprint_id" TEXT NOT NULL,
    "fingerprint_label" TEXT NOT NULL,
    "attempt_count" INTEGER,
    "attempt_cap" INTEGER,
    "source_id" TEXT,
    "source_name" TEXT,
    "partition_key" TEXT,
    "size_bytes" INTEGER NOT NULL,
    "content_type" TEXT,
    "preview" TEXT NOT NULL,
    "search_text" TEXT NOT NULL,
    "scan_id" BIGINT NOT NULL,

    CONSTRAINT "message_index_pkey" PRIMARY KEY ("broker","queue_id","id")
);

-- CreateTable
CREATE TABLE "message_index_state" (
    "broker" TEXT NOT NULL,
    "queue_id" TEXT NOT NULL,
    "scan_id" BIGINT NOT NULL DEFAULT 0,
    "status" TEXT NOT NULL DEFAULT 'idle',
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "indexed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,

    CONSTRAINT "message_index_state_pkey" PRIMARY KEY ("broker","queue_id")
);

-- CreateIndex
CREATE INDEX "message_index_broker_queue_id_position_idx" ON "message_index"("broker", "queue_id", "position");

-- CreateIndex
CREATE INDEX "message_index_broker_queue_id_fingerprint_id_idx" ON "message_index"("broker", "queue_id", "fingerprint_id");

-- CreateIndex
CREATE INDEX "message_index_search_trgm" ON "message_index" USING GIN ("search_text" gin_trgm_ops);
