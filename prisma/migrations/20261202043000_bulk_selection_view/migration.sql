-- AlterTable
ALTER TABLE "bulk_job" ADD COLUMN "selection_view" TEXT;
