-- AlterTable
ALTER TABLE "audit_log" ADD COLUMN     "via" TEXT;

-- CreateTable
CREATE TABLE "api_token" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "owner" TEXT NOT NULL,
    "owner_user_id" TEXT,
    "created_by" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "brokers" TEXT[],
    "environments" TEXT[],
    "secret_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by" TEXT,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "api_token_owner_created_at_idx" ON "api_token"("owner", "created_at");

-- CreateIndex
CREATE INDEX "api_token_owner_user_id_idx" ON "api_token"("owner_user_id");

-- AddForeignKey
ALTER TABLE "api_token" ADD CONSTRAINT "api_token_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "auth_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;
