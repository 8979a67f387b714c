-- CreateTable
CREATE TABLE "hygiene_mute" (
    "broker" TEXT NOT NULL,
    "queue_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "muted_by" TEXT NOT NULL,
    "muted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "hygiene_mute_pkey" PRIMARY KEY ("broker","queue_id","code")
);
