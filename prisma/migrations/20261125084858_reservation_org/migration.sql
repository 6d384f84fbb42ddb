-- AlterTable
ALTER TABLE "reservations" ADD COLUMN     "org_id" VARCHAR(64) NOT NULL DEFAULT 'default';

-- CreateIndex
CREATE INDEX "reservations_org_id_created_at_idx" ON "reservations"("org_id", "created_at");
