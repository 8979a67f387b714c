-- CreateTable
CREATE TABLE "bulk_job" (
    "id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "broker" TEXT NOT NULL,
    "queue_id" TEXT NOT NULL,
    "selection" TEXT NOT NULL,
    "destination" TEXT,
    "reason" TEXT,
    "ticket" TEXT,
    "status" TEXT NOT NULL,
    "phase" TEXT NOT NULL DEFAULT 'canary',
    "status_reason" TEXT,
    "rate_per_second" INTEGER NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "batch_size" INTEGER NOT NULL,
    "canary_size" INTEGER NOT NULL,
    "canary_window_ms" INTEGER NOT NULL,
    "return_threshold" DOUBLE PRECISION NOT NULL,
    "failure_threshold" DOUBLE PRECISION NOT NULL,
    "total" INTEGER NOT NULL,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "returned" INTEGER NOT NULL DEFAULT 0,
    "summary" TEXT NOT NULL,
    "worker_id" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "bulk_job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bulk_job_item" (
    "job_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "message_id" TEXT NOT NULL,
    "broker_message_id" TEXT,
    "payload_hash" TEXT NOT NULL,
    "partition_key" TEXT,
    "lane" INTEGER NOT NULL,
    "group_id" TEXT NOT NULL,
    "group_label" TEXT NOT NULL,
    "send_to" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "batch" INTEGER,
    "error" TEXT,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "bulk_job_item_pkey" PRIMARY KEY ("job_id","seq")
);

-- CreateTable
CREATE TABLE "bulk_job_checkpoint" (
    "job_id" TEXT NOT NULL,
    "batch" INTEGER NOT NULL,
    "worker_id" TEXT NOT NULL,
    "lane" INTEGER NOT NULL,
    "first_seq" INTEGER NOT NULL,
    "last_seq" INTEGER NOT NULL,
    "done" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "skipped" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bulk_job_checkpoint_pkey" PRIMARY KEY ("job_id","batch")
);

-- CreateIndex
CREATE INDEX "bulk_job_status_lease_until_idx" ON "bulk_job"("status", "lease_until");

-- CreateIndex
CREATE INDEX "bulk_job_created_at_idx" ON "bulk_job"("created_at");

-- CreateIndex
CREATE INDEX "bulk_job_item_job_id_lane_status_seq_idx" ON "bulk_job_item"("job_id", "lane", "status", "seq");

-- CreateIndex
CREATE INDEX "bulk_job_item_job_id_status_idx" ON "bulk_job_item"("job_id", "status");

-- AddForeignKey
ALTER TABLE "bulk_job_item" ADD CONSTRAINT "bulk_job_item_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "bulk_job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bulk_job_checkpoint" ADD CONSTRAINT "bulk_job_checkpoint_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "bulk_job"("id") ON DELETE CASCADE ON UPDATE CASCADE;
