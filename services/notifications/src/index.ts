export * from './app';
export * from './module';
export * from './config';
export { verifyWebhook, signWebhook, ReplayCache, WEBHOOK_HEADERS } from './webhooks';
export type { WebhookVerdict } from './webhooks';
export type { SmsGateway, EmailSender, Channels } from './channels';
