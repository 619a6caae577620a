import { Kafka, logLevel } from 'kafkajs';
import type { Admin, SASLOptions } from 'kafkajs';
import { kafkaSecurity } from './config';
import type { NodeProcessConfig } from './config';

/**
 * A kafkajs admin client with the process's own brokers and credentials, for what the EventLog
 * interface does not say: high watermarks and committed group offsets (metrics, the dead-letters
 * CLI). Connects lazily; `close` is safe when it never connected.
 */
export class KafkaAdmin {
  private admin: Admin | undefined;
  private connecting: Promise<Admin> | undefined;

  constructor(
    private readonly config: NodeProcessConfig,
    private readonly clientId: string,
  ) {}

  get(): Promise<Admin> {
    if (this.admin) return Promise.resolve(this.admin);
    this.connecting ??= (async () => {
      const security = kafkaSecurity(this.config);
      const admin = new Kafka({
        clientId: this.clientId,
        brokers: this.config.KAFKA_BROKERS ?? [],
        connectionTimeout: 3000,
        // A scrape has its own deadline: fail fast, the next scrape tries again.
        retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
        logLevel: logLevel.NOTHING,
        ...(security.sasl ? { sasl: security.sasl as SASLOptions } : {}),
        ...(security.ssl ? { ssl: security.ssl } : {}),
      }).admin();
      try {
        await admin.connect();
      } catch (error) {
        await admin.disconnect().catch(() => undefined);
        throw error;
      }
      this.admin = admin;
      return admin;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Drops the connection after a failure, so the next call reconnects. */
  async reset(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    await this.reset();
  }
}
