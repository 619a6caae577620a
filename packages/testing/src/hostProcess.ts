import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface HostProcess {
  child: ChildProcess;
  /** The API's base URL, from the host's `api` log line. */
  url: string;
  exited: Promise<number | null>;
}

/**
 * Starts the README's main job as `pnpm start` does (services/host in a child process) on a data
 * folder of its own: the embedded default, so no database or broker from the environment.
 */
export async function startHostProcess(
  dataDir: string,
  options: {
    env?: Record<string, string>;
    timeoutMs?: number;
    /** What node runs (default: the host's TypeScript through tsx) and where. */
    args?: string[];
    cwd?: string;
  } = {},
): Promise<HostProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DUBAN_DATA_DIR: dataDir,
    PORT: '0',
    EMBEDDED_POSTGRES_PORT: '0',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  delete env.DATABASE_URL;
  delete env.KAFKA_BROKERS;
  const args = options.args ?? ['--import', 'tsx', join(ROOT, 'services/host/src/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timeoutMs = options.timeoutMs ?? 90_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`host did not start in ${timeoutMs / 1000} s: ${stderr}`)),
      timeoutMs,
    );
    void exited.then((code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: { api?: string };
      try {
        entry = JSON.parse(line) as { api?: string };
      } catch {
        return; // not a log line
      }
      if (entry.api) {
        clearTimeout(timer);
        resolve(entry.api);
      }
    });
  });
  return { child, url, exited };
}
