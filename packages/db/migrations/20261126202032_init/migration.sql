-- CreateTable
CREATE TABLE "outbox_event" (
    "id" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbox_entry" (
    "consumer" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_entry_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateTable
CREATE TABLE "log_record" (
    "seq" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "key" TEXT,
    "value" TEXT NOT NULL,
    "appended_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "log_record_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "consumer_offset" (
    "group_id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "position" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consumer_offset_pkey" PRIMARY KEY ("group_id","topic")
);

-- CreateTable
CREATE TABLE "item" (
    "node_id" TEXT NOT NULL,
    "id" UUID NOT NULL,
    "relation" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "priority" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "assigner" TEXT NOT NULL,
    "assignee" TEXT NOT NULL,
    "leader" TEXT,
    "parent_id" UUID,
    "status" TEXT NOT NULL,
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    "yellow_from" TIMESTAMPTZ(3) NOT NULL,
    "assigned_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    "state" JSONB NOT NULL,
    "revision" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "item_pkey" PRIMARY KEY ("node_id","id")
);

-- CreateTable
CREATE TABLE "item_event" (
    "node_id" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "item_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "item_event_pkey" PRIMARY KEY ("node_id","event_id")
);

-- CreateTable
CREATE TABLE "notice_counter" (
    "node_id" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "notice_counter_pkey" PRIMARY KEY ("node_id","year")
);

-- CreateTable
CREATE TABLE "calendar_amendment" (
    "seq" SERIAL NOT NULL,
    "amendment_id" TEXT NOT NULL,
    "amendment" JSONB NOT NULL,
    "version" TEXT NOT NULL,
    "snapshot" JSONB NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "calendar_amendment_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "reminder_policy" (
    "node_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "policy" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reminder_policy_pkey" PRIMARY KEY ("node_id","kind")
);

-- CreateTable
CREATE TABLE "tracked_item" (
    "node_id" TEXT NOT NULL,
    "item_id" UUID NOT NULL,
    "state" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tracked_item_pkey" PRIMARY KEY ("node_id","item_id")
);

-- CreateTable
CREATE TABLE "timer" (
    "id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "item_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "round" INTEGER NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "fired_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "timer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "decision" (
    "node_id" TEXT NOT NULL,
    "id" UUID NOT NULL,
    "unit" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "item_ids" TEXT[],
    "decided_by" TEXT NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    "event_id" UUID NOT NULL,

    CONSTRAINT "decision_pkey" PRIMARY KEY ("node_id","id")
);

-- CreateTable
CREATE TABLE "sanction" (
    "node_id" TEXT NOT NULL,
    "id" UUID NOT NULL,
    "unit" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "decision_ids" TEXT[],
    "reason" TEXT NOT NULL,
    "imposed_at" TIMESTAMPTZ(3) NOT NULL,
    "event_id" UUID NOT NULL,

    CONSTRAINT "sanction_pkey" PRIMARY KEY ("node_id","id")
);

-- CreateTable
CREATE TABLE "inbox_message" (
    "id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "read_at" TIMESTAMPTZ(3),

    CONSTRAINT "inbox_message_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "outbox_event_event_id_key" ON "outbox_event"("event_id");

-- CreateIndex
CREATE INDEX "outbox_event_published_at_id_idx" ON "outbox_event"("published_at", "id");

-- CreateIndex
CREATE INDEX "log_record_topic_seq_idx" ON "log_record"("topic", "seq");

-- CreateIndex
CREATE INDEX "item_node_id_deadline_id_idx" ON "item"("node_id", "deadline", "id");

-- CreateIndex
CREATE INDEX "item_node_id_status_deadline_id_idx" ON "item"("node_id", "status", "deadline", "id");

-- CreateIndex
CREATE INDEX "item_node_id_assignee_deadline_id_idx" ON "item"("node_id", "assignee", "deadline", "id");

-- CreateIndex
CREATE INDEX "item_node_id_leader_deadline_idx" ON "item"("node_id", "leader", "deadline");

-- CreateIndex
CREATE INDEX "item_node_id_parent_id_idx" ON "item"("node_id", "parent_id");

-- CreateIndex
CREATE INDEX "item_id_idx" ON "item"("id");

-- CreateIndex
CREATE INDEX "item_event_node_id_item_id_time_idx" ON "item_event"("node_id", "item_id", "time");

-- CreateIndex
CREATE UNIQUE INDEX "calendar_amendment_amendment_id_key" ON "calendar_amendment"("amendment_id");

-- CreateIndex
CREATE INDEX "timer_status_due_at_idx" ON "timer"("status", "due_at");

-- CreateIndex
CREATE INDEX "timer_node_id_item_id_idx" ON "timer"("node_id", "item_id");

-- CreateIndex
CREATE UNIQUE INDEX "timer_node_id_item_id_kind_level_round_key" ON "timer"("node_id", "item_id", "kind", "level", "round");

-- CreateIndex
CREATE INDEX "decision_node_id_unit_year_idx" ON "decision"("node_id", "unit", "year");

-- CreateIndex
CREATE UNIQUE INDEX "sanction_node_id_unit_year_kind_key" ON "sanction"("node_id", "unit", "year", "kind");

-- CreateIndex
CREATE INDEX "inbox_message_node_id_created_at_idx" ON "inbox_message"("node_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "inbox_message_node_id_event_id_key" ON "inbox_message"("node_id", "event_id");
