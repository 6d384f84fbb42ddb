-- CreateEnum
CREATE TYPE "AuditSource" AS ENUM ('API', 'WEBHOOK', 'JOB');

-- CreateTable
CREATE TABLE "audit_entries" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "org_id" VARCHAR(64) NOT NULL DEFAULT 'default',
    "actor_id" VARCHAR(128) NOT NULL,
    "actor_role" VARCHAR(32) NOT NULL,
    "source" "AuditSource" NOT NULL,
    "action" VARCHAR(64) NOT NULL,
    "target_type" VARCHAR(32) NOT NULL,
    "target_id" VARCHAR(255) NOT NULL,
    "reservation_id" VARCHAR(32),
    "payment_id" UUID,
    "before" VARCHAR(32),
    "after" VARCHAR(32),
    "amount" INTEGER,
    "request_id" VARCHAR(128),
    "ip" VARCHAR(64),
    "user_agent" VARCHAR(512),
    "stripe_event_id" VARCHAR(255),

    CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_entries_org_id_at_id_idx" ON "audit_entries"("org_id", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_entries_reservation_id_at_id_idx" ON "audit_entries"("reservation_id", "at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "audit_entries_payment_id_idx" ON "audit_entries"("payment_id");

-- Append-only: entries are never changed, and removed only by the retention
-- purge, which says so for its own transaction (SET LOCAL audit.purge = 'on').
CREATE FUNCTION "audit_entries_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('audit.purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "audit_entries_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "audit_entries"
  FOR EACH ROW EXECUTE FUNCTION "audit_entries_append_only"();

CREATE TRIGGER "audit_entries_no_truncate"
  BEFORE TRUNCATE ON "audit_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_entries_append_only"();

-- a row with a move names both ends; money moved is never negative
ALTER TABLE "audit_entries" ADD CONSTRAINT "audit_entries_amount_not_negative" CHECK ("amount" IS NULL OR "amount" >= 0);
