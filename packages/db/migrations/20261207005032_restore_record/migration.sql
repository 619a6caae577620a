-- CreateTable
CREATE TABLE "restore_record" (
    "id" UUID NOT NULL,
    "restored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "backup_created_at" TIMESTAMPTZ(3) NOT NULL,
    "backup_version" TEXT NOT NULL,
    "migrations" TEXT[],
    "row_counts" JSONB NOT NULL,

    CONSTRAINT "restore_record_pkey" PRIMARY KEY ("id")
);
