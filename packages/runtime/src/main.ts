import { Lifecycle, parseConfig, createLogger } from '@duban/kit';
import { NodeProcessConfig } from './config';
import { startNodeProcess } from './process';
import type { ServiceModule } from './process';

/** The body of every main.ts: parse config once, start, listen, close gracefully on a signal. */
export async function runMain(title: string, services: readonly ServiceModule[]): Promise<void> {
  const config = parseConfig(NodeProcessConfig);
  const logger = createLogger({ level: config.LOG_LEVEL, name: title });
  const lifecycle = new Lifecycle(logger);
  lifecycle.closeOnSignals();
  const node = await startNodeProcess({ config, services, title, logger });
  lifecycle.add('node', () => node.close());
  let address: string;
  try {
    address = await node.app.listen({ host: config.HOST, port: config.PORT });
  } catch (error) {
    await lifecycle.close(); // e.g. the port is taken: stop the embedded database we started
    throw error;
  }
  logger.info(
    {
      api: address,
      docs: `${address}/docs`,
      nodes: node.ctx.hosted.size,
      transport: node.log.transport,
      database: node.embeddedDatabase ? 'embedded' : 'DATABASE_URL',
    },
    `duban is serving ${node.ctx.hosted.size} nodes at ${address} (API docs: ${address}/docs)`,
  );
}

/** For main.ts files: run, and exit non-zero with a readable reason when start-up fails. */
export function main(title: string, services: readonly ServiceModule[]): void {
  runMain(title, services).catch((error: unknown) => {
    console.error(`${title} failed to start: ${(error as Error).message ?? String(error)}`);
    process.exit(1);
  });
}
