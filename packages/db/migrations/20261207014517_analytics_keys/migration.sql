-- Issue 17: the analysts' pseudonym keys, one per node and calendar year (ADR 0031).
CREATE TABLE "analytics_key" (
    "node_id" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "key" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "analytics_key_pkey" PRIMARY KEY ("node_id","year")
);
