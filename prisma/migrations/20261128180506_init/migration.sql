-- CreateTable
CREATE TABLE "depth_sample" (
    "id" BIGSERIAL NOT NULL,
    "broker" TEXT NOT NULL,
    "queue_id" TEXT NOT NULL,
    "depth" INTEGER NOT NULL,
    "sampled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "depth_sample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "depth_sample_broker_queue_id_sampled_at_idx" ON "depth_sample"("broker", "queue_id", "sampled_at");
