// Debian's Chromium driven by playwright-core (Playwright cannot download browsers here).
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';
import { tempDir } from './content.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasBrowser = existsSync(CHROMIUM);
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

if (!hasBrowser && !inCI) {
  console.warn(
    `\n${'!'.repeat(78)}\n  BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}.\n` +
      '  Install it with: apt-get update && apt-get install -y chromium\n' +
      `  (or set CHROMIUM_PATH). Under CI=true a missing browser fails the run.\n${'!'.repeat(78)}\n`,
  );
}

/** A headless Chromium with a fresh profile and no background traffic (the network here is closed). */
export async function launchBrowser(options: { colorScheme?: 'light' | 'dark'; width?: number; javaScript?: boolean } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(await tempDir('castwright-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    viewport: { width: options.width ?? 1000, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    javaScriptEnabled: options.javaScript ?? true,
  });
}
