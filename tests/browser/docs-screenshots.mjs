// The README's two screenshots, taken on the programme's replayed history (real names and
// figures, see deploy/demo/history/README.md) rather than on test data:
//
//   rollout serve --demo --replay --database-url sqlite:/tmp/shots.db   # prints the tokens
//   BASE_URL=http://127.0.0.1:8080 TOKEN=rlt_… CODE=<a procedure code> \
//     node tests/browser/docs-screenshots.mjs
//
// Writes docs/screenshots/overview.png and docs/screenshots/procedure.png (1280x900, the top
// of each page), signed in through the token form like a person.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', '..', 'docs', 'screenshots');
const base = (process.env.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const token = process.env.TOKEN;
const code = process.env.CODE;
if (!token || !code) throw new Error('TOKEN and CODE are required (see the head of this file)');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(`${base}/signin`);
await page.fill('#token', token);
await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/signin"] button[type="submit"]')]);
await page.screenshot({ path: join(out, 'overview.png') });
await page.goto(`${base}/procedures/${encodeURIComponent(code)}`);
await page.screenshot({ path: join(out, 'procedure.png') });
await browser.close();
console.log(`wrote ${out}/overview.png and procedure.png`);
