-- AlterTable
ALTER TABLE "webhook_events" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "payload" JSON;

-- CreateIndex
CREATE INDEX "webhook_events_processed_at_next_attempt_at_idx" ON "webhook_events"("processed_at", "next_attempt_at");
