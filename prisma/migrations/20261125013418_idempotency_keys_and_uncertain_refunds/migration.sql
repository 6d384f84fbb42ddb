-- AlterTable
ALTER TABLE "refunds" ADD COLUMN     "uncertain_since" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "scope" VARCHAR(200) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "request" JSONB NOT NULL,
    "refund_id" UUID,
    "tries" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("scope","key")
);

-- CreateIndex
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys"("created_at");

-- CreateIndex
CREATE INDEX "idempotency_keys_refund_id_idx" ON "idempotency_keys"("refund_id");
