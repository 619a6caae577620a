import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/**
 * Debian's chromium (`apt-get install chromium`), or CHROMIUM_PATH. Playwright's own browser
 * downloads are never used: the county's network is offline, and CI installs the Debian package.
 */
export function chromiumPath(): string | { unavailable: string } {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const path of candidates) if (path && existsSync(path)) return path;
  try {
    const found = execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
      encoding: 'utf8',
    }).trim();
    if (found) return found;
  } catch {
    // not on the PATH either
  }
  return { unavailable: 'no chromium (apt-get install -y chromium, or set CHROMIUM_PATH)' };
}

/** In CI a missing browser fails the suite; elsewhere it is skipped loudly (like the Kafka suites). */
export function browserRequired(): boolean {
  return process.env.CI === 'true' || process.env.DUBAN_REQUIRE_BROWSER === '1';
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    // Root (CI containers) cannot use chromium's sandbox.
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
}
