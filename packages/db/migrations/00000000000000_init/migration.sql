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
    "position" TEXT,
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
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "timer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "timer_done" (
    "id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "item_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "level" INTEGER NOT NULL,
    "round" INTEGER NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "fired_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL
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
    "reversed_at" TIMESTAMPTZ(3),
    "reversed_by" UUID,

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
    "lifted_at" TIMESTAMPTZ(3),
    "lift_reason" TEXT,

    CONSTRAINT "sanction_pkey" PRIMARY KEY ("node_id","id")
);

-- CreateTable
CREATE TABLE "scoring_rules" (
    "node_id" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "rules" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "scoring_rules_pkey" PRIMARY KEY ("node_id","year")
);

-- CreateTable
CREATE TABLE "appeal" (
    "node_id" TEXT NOT NULL,
    "id" UUID NOT NULL,
    "decision_id" UUID NOT NULL,
    "unit" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "filed_by" TEXT NOT NULL,
    "filed_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "comment" TEXT,
    "decided_at" TIMESTAMPTZ(3),

    CONSTRAINT "appeal_pkey" PRIMARY KEY ("node_id","id")
);

-- CreateTable
CREATE TABLE "proposal" (
    "node_id" TEXT NOT NULL,
    "id" UUID NOT NULL,
    "item_id" UUID NOT NULL,
    "unit" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "raised_at" TIMESTAMPTZ(3) NOT NULL,
    "event_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "decision_id" UUID,
    "comment" TEXT,
    "decided_at" TIMESTAMPTZ(3),

    CONSTRAINT "proposal_pkey" PRIMARY KEY ("node_id","id")
);

-- CreateTable
CREATE TABLE "referral" (
    "node_id" TEXT NOT NULL,
    "id" UUID NOT NULL,
    "unit" TEXT NOT NULL,
    "person" TEXT,
    "to" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "decision_ids" TEXT[],
    "item_ids" TEXT[],
    "referred_by" TEXT NOT NULL,
    "referred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "referral_pkey" PRIMARY KEY ("node_id","id")
);

-- CreateTable
CREATE TABLE "stat_fact" (
    "node_id" TEXT NOT NULL,
    "item_id" UUID NOT NULL,
    "assignee" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "assigned_at" TIMESTAMPTZ(3) NOT NULL,
    "facts" JSONB NOT NULL,

    CONSTRAINT "stat_fact_pkey" PRIMARY KEY ("node_id","item_id")
);

-- CreateTable
CREATE TABLE "inbox_message" (
    "id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'other',
    "subject" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "read_at" TIMESTAMPTZ(3),
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" TEXT,

    CONSTRAINT "inbox_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbox_receipt" (
    "node_id" TEXT NOT NULL,
    "message_id" UUID NOT NULL,
    "person_id" TEXT NOT NULL,
    "read_at" TIMESTAMPTZ(3),
    "acknowledged_at" TIMESTAMPTZ(3),

    CONSTRAINT "inbox_receipt_pkey" PRIMARY KEY ("node_id","message_id","person_id")
);

-- CreateTable
CREATE TABLE "notification_recipient" (
    "node_id" TEXT NOT NULL,
    "person_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT,
    "phone" TEXT,
    "locale" TEXT NOT NULL DEFAULT 'zh-CN',
    "preferences" JSONB NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_recipient_pkey" PRIMARY KEY ("node_id","person_id")
);

-- CreateTable
CREATE TABLE "webhook_endpoint" (
    "id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "kinds" TEXT[],
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_endpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_delivery" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "node_id" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "event_id" UUID,
    "event_type" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "locale" TEXT NOT NULL DEFAULT 'zh-CN',
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "payload" TEXT,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "lease_until" TIMESTAMPTZ(3),
    "digest_at" TIMESTAMPTZ(3),
    "digest_id" UUID,
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_attempt" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "notification_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_template" (
    "node_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "updated_by" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notification_template_pkey" PRIMARY KEY ("node_id","event_type","locale")
);

-- CreateTable
CREATE TABLE "notice_item" (
    "node_id" TEXT NOT NULL,
    "item_id" UUID NOT NULL,
    "assigner" TEXT NOT NULL,
    "assignee" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "notice_no" TEXT NOT NULL,
    "priority" TEXT NOT NULL,
    "leader" TEXT,
    "responsible_person" TEXT,
    "co_units" TEXT[],
    "assigned_at" TIMESTAMPTZ(3) NOT NULL,
    "ack_deadline" TIMESTAMPTZ(3),
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    "acknowledged_at" TIMESTAMPTZ(3),
    "reported_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "chase_no" INTEGER NOT NULL DEFAULT 0,
    "chased_at" TIMESTAMPTZ(3),
    "escalation_level" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "notice_item_pkey" PRIMARY KEY ("node_id","item_id")
);

-- CreateTable
CREATE TABLE "notice_decision" (
    "node_id" TEXT NOT NULL,
    "decision_id" UUID NOT NULL,
    "unit" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "notice_decision_pkey" PRIMARY KEY ("node_id","decision_id")
);

-- CreateTable
CREATE TABLE "bulletin" (
    "id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "doc_no" TEXT,
    "title" TEXT NOT NULL,
    "addressee" TEXT NOT NULL,
    "paragraphs" JSONB NOT NULL,
    "period_from" TEXT NOT NULL,
    "period_to" TEXT NOT NULL,
    "thresholds" JSONB NOT NULL,
    "stats" JSONB NOT NULL,
    "commended" JSONB NOT NULL,
    "criticised" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "published_by" TEXT,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "bulletin_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "document_counter" (
    "node_id" TEXT NOT NULL,
    "series" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "document_counter_pkey" PRIMARY KEY ("node_id","series","year")
);

-- CreateTable
CREATE TABLE "account" (
    "id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "login" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "roles" TEXT[],
    "password_hash" TEXT NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "failed_logins" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_session" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "generation" INTEGER NOT NULL,
    "refresh_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "refreshed_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_why" TEXT,

    CONSTRAINT "auth_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "auth_secret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "auth_secret_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "node_key" (
    "key_id" TEXT NOT NULL,
    "node" TEXT NOT NULL,
    "public_key" TEXT NOT NULL,
    "private_key" TEXT,
    "status" TEXT NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),
    "valid_until" TIMESTAMPTZ(3),

    CONSTRAINT "node_key_pkey" PRIMARY KEY ("key_id")
);

-- CreateTable
CREATE TABLE "audit_record" (
    "node" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "event_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_record_pkey" PRIMARY KEY ("node","seq")
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
CREATE INDEX "item_node_id_assignee_status_deadline_id_idx" ON "item"("node_id", "assignee", "status", "deadline", "id");

-- CreateIndex
CREATE INDEX "item_node_id_leader_deadline_idx" ON "item"("node_id", "leader", "deadline");

-- CreateIndex
CREATE INDEX "item_node_id_parent_id_idx" ON "item"("node_id", "parent_id");

-- CreateIndex
CREATE INDEX "item_id_idx" ON "item"("id");

-- CreateIndex
CREATE INDEX "item_event_node_id_item_id_time_idx" ON "item_event"("node_id", "item_id", "time");

-- CreateIndex
CREATE INDEX "item_event_node_id_time_event_id_idx" ON "item_event"("node_id", "time", "event_id");

-- CreateIndex
CREATE UNIQUE INDEX "calendar_amendment_amendment_id_key" ON "calendar_amendment"("amendment_id");

-- CreateIndex
CREATE INDEX "timer_due_at_id_idx" ON "timer"("due_at", "id");

-- CreateIndex
CREATE UNIQUE INDEX "timer_node_id_item_id_kind_level_round_key" ON "timer"("node_id", "item_id", "kind", "level", "round");

-- CreateIndex
CREATE UNIQUE INDEX "timer_done_node_id_item_id_kind_level_round_key" ON "timer_done"("node_id", "item_id", "kind", "level", "round");

-- CreateIndex
CREATE INDEX "decision_node_id_unit_year_idx" ON "decision"("node_id", "unit", "year");

-- CreateIndex
CREATE INDEX "sanction_node_id_unit_year_kind_idx" ON "sanction"("node_id", "unit", "year", "kind");

-- CreateIndex
CREATE INDEX "appeal_node_id_status_idx" ON "appeal"("node_id", "status");

-- CreateIndex
CREATE INDEX "proposal_node_id_status_idx" ON "proposal"("node_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "proposal_node_id_event_id_key" ON "proposal"("node_id", "event_id");

-- CreateIndex
CREATE INDEX "stat_fact_node_id_assigned_at_idx" ON "stat_fact"("node_id", "assigned_at");

-- CreateIndex
CREATE INDEX "inbox_message_node_id_created_at_idx" ON "inbox_message"("node_id", "created_at");

-- CreateIndex
CREATE INDEX "inbox_message_node_id_kind_created_at_idx" ON "inbox_message"("node_id", "kind", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "inbox_message_node_id_event_id_key" ON "inbox_message"("node_id", "event_id");

-- CreateIndex
CREATE INDEX "inbox_receipt_node_id_person_id_idx" ON "inbox_receipt"("node_id", "person_id");

-- CreateIndex
CREATE INDEX "webhook_endpoint_node_id_idx" ON "webhook_endpoint"("node_id");

-- CreateIndex
CREATE UNIQUE INDEX "notification_delivery_dedupe_key_key" ON "notification_delivery"("dedupe_key");

-- CreateIndex
CREATE INDEX "notification_delivery_status_next_attempt_at_idx" ON "notification_delivery"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "notification_delivery_node_id_recipient_channel_subject_seq_idx" ON "notification_delivery"("node_id", "recipient", "channel", "subject", "seq");

-- CreateIndex
CREATE INDEX "notification_delivery_node_id_created_at_idx" ON "notification_delivery"("node_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "notification_attempt_delivery_id_attempt_key" ON "notification_attempt"("delivery_id", "attempt");

-- CreateIndex
CREATE INDEX "notice_item_node_id_assignee_idx" ON "notice_item"("node_id", "assignee");

-- CreateIndex
CREATE INDEX "bulletin_node_id_created_at_idx" ON "bulletin"("node_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "account_login_key" ON "account"("login");

-- CreateIndex
CREATE UNIQUE INDEX "account_node_id_display_name_key" ON "account"("node_id", "display_name");

-- CreateIndex
CREATE INDEX "auth_session_account_id_idx" ON "auth_session"("account_id");

-- CreateIndex
CREATE INDEX "node_key_node_status_idx" ON "node_key"("node", "status");

-- AddForeignKey
ALTER TABLE "auth_session" ADD CONSTRAINT "auth_session_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
