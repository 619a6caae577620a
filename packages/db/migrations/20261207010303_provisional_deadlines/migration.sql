-- Hand-written migration: runs in one transaction.
-- ADR 0026: deadlines computed on the provisional (statutory-rules) calendar of a year the State
-- Council has not yet published. Additive: existing rows are not provisional.
ALTER TABLE "item" ADD COLUMN "deadline_provisional" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "notice_item" ADD COLUMN "deadline_provisional" BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX "item_node_id_deadline_provisional_idx" ON "item"("node_id", "deadline_provisional");
