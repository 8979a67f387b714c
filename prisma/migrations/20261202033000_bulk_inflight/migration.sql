-- CreateTable
CREATE TABLE "bulk_job_inflight" (
    "job_id" TEXT NOT NULL,
    "batch" INTEGER NOT NULL,
    "lane" INTEGER NOT NULL,
    "first_seq" INTEGER NOT NULL,
    "last_seq" INTEGER NOT NULL,
    "seqs" INTEGER[],
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bulk_job_inflight_pkey" PRIMARY KEY ("job_id","batch")
);

-- AddForeignKey
ALTER TABLE "bulk_job_inflight" ADD CONSTRAINT "bulk_job_inflight_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "bulk_job"("id") ON DELETE CASCADE ON UPDATE CASCADE;
