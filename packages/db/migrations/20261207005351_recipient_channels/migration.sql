-- Issue 16: WeCom application messages address a person by their WeCom userid; quiet hours per person.
ALTER TABLE "notification_recipient" ADD COLUMN "wecom_user_id" TEXT;
ALTER TABLE "notification_recipient" ADD COLUMN "quiet_hours" JSONB;
