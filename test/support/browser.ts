import { type Browser, chromium } from 'playwright-core';
import { ensureChromium } from '../../tools/services/chromium.ts';

/**
 * A headless Chromium for browser tests: Debian's (installed when missing, see
 * tools/services/chromium.ts; `npm test` installs it before mocha starts) or OMS_CHROMIUM.
 * Close it in an `after` hook.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await ensureChromium((msg) => process.stderr.write(`[browser] ${msg}\n`));
  return chromium.launch({ executablePath, headless: true });
}
