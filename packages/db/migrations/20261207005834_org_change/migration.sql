-- CreateTable
CREATE TABLE "org_change" (
    "seq" SERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "change" JSONB NOT NULL,
    "effective_at" TIMESTAMPTZ(3) NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "org_change_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "org_change_event_id_key" ON "org_change"("event_id");
