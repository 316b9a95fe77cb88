// Debian's headless Chromium through puppeteer-core, with no browser
// download (/usr/bin/chromium, installed by scripts/test; another with
// $BLENDER_BUS_CHROMIUM).
import puppeteer from 'puppeteer-core';

export const CHROMIUM = process.env.BLENDER_BUS_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium() {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in CI has no user namespace for Chromium's sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
