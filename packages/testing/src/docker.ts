import { existsSync } from 'node:fs';

/**
 * Whether testcontainers could work here. Checked cheaply first (a socket or DOCKER_HOST), so machines
 * without Docker do not pay for testcontainers' own probing.
 */
export async function dockerAvailable(): Promise<boolean> {
  if (process.env.DUBAN_NO_TESTCONTAINERS === '1') return false;
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}
