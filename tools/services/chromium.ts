// Browser tests drive Debian's Chromium (package chromium) through playwright-core, which downloads
// no browser of its own. ensureChromium() finds it and, when missing, installs it the way the
// database servers are installed (apt.ts: root on Debian only).
import { existsSync } from 'node:fs';
import { aptInstall } from './apt.ts';
import type { Log } from './types.ts';

/** The Chromium executable: OMS_CHROMIUM when set (any Chromium or Chrome build), else Debian's. */
export function chromiumPath(): string {
  return process.env.OMS_CHROMIUM || '/usr/bin/chromium';
}

/** The Chromium executable, after installing Debian's package when it is missing (throws if it cannot). */
export async function ensureChromium(log: Log): Promise<string> {
  const path = chromiumPath();
  if (existsSync(path)) return path;
  log(`chromium: not found at ${path}`);
  if (!process.env.OMS_CHROMIUM && (await aptInstall(['chromium'], log)) && existsSync(path)) return path;
  throw new Error(
    `no Chromium at ${path}: install Debian's chromium package (apt-get install chromium), ` +
      'or set OMS_CHROMIUM to a Chromium or Chrome executable',
  );
}
