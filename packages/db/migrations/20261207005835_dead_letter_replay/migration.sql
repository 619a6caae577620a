-- CreateTable
CREATE TABLE "dead_letter_replay" (
    "id" BIGSERIAL NOT NULL,
    "letter_id" TEXT NOT NULL,
    "transport" TEXT NOT NULL,
    "original" TEXT NOT NULL,
    "replayed_by" TEXT NOT NULL,
    "replayed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "forced" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "dead_letter_replay_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "dead_letter_replay_transport_original_idx" ON "dead_letter_replay"("transport", "original");

-- CreateIndex
CREATE INDEX "dead_letter_replay_transport_letter_id_idx" ON "dead_letter_replay"("transport", "letter_id");
