-- Hand-written: the partial index the timer scheduler claims by (services/reminders/src/repositories/timers.ts).
-- Only pending rows, in claim order (due_at, id): a claim reads just the rows it locks, and a burst of
-- timers due at the same instant is never re-sorted. Prisma's schema cannot express a partial index;
-- its diff leaves this one alone (migration:new --check stays clean).
CREATE INDEX "timer_pending_due_at_idx" ON "timer" ("due_at", "id") WHERE "status" = 'pending';
