// The web dashboard in a real browser: headless Chromium driven by playwright-core, every page
// checked with axe-core (WCAG 2.0/2.1 A and AA) and screenshotted. Run by tests/e2e/browser.rs,
// which starts the server, prepares the data and passes it here through the environment:
//
//   BASE_URL         the server, e.g. http://127.0.0.1:41234
//   PO_TOKEN         a project-office user's API token
//   COORD_TOKEN      a coordinator of the KANKYO bureau
//   ADMIN_TOKEN      the administrator (visits /admin)
//   MOVE_CODE        a KANKYO procedure in `hearing` with a target quarter (moved to `scheduled`)
//   REFUSED_CODE     a KANKYO procedure without a target quarter (its `scheduled` is refused)
//   OTHER_CODE       a procedure of another bureau (read-only for the coordinator)
//   EXPECT_IN_SCOPE  the API's kpis.overall.procedures.inScope
//   BUREAU           the bureau the list is filtered by (default KANKYO)
//   SCREENSHOT_DIR   where `<name>.png` goes (full page)
//   CHROMIUM         the browser (default /usr/bin/chromium)
//   DOCS_SCREENSHOTS=1 also writes docs/screenshots/{overview,procedure}.png (1280x800)
//
// The pages run under their real Content-Security-Policy (no bypass): axe is evaluated through
// the DevTools protocol, which the policy does not govern, and any CSP violation the page itself
// causes (an inline style or script) is reported as a failure. Step failures stop the run; axe
// and CSP findings are collected so one run lists them all. Exit status 0 only when all passed.

import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/** Also run, and printed as notes only: axe's best practices (landmarks, heading order…). */
const AXE_NOTES = ['best-practice'];
/// The other areas' pages: each must answer 200, pass axe and be screenshotted.
const EXTRA_PAGES = ['/bottlenecks', '/law-changes', '/quality', '/report', '/my', '/admin'];

function env(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is required (see the head of dashboard.mjs)`);
  }
  return value;
}

const BASE_URL = env('BASE_URL').replace(/\/$/, '');
const SCREENSHOT_DIR = env('SCREENSHOT_DIR');
const BUREAU = env('BUREAU', 'KANKYO');
const DOCS_DIR = join(here, '..', '..', 'docs', 'screenshots');
const docs = process.env.DOCS_SCREENSHOTS === '1';

/** Findings that do not stop the run (axe, CSP), printed at the end. */
const findings = [];
let audited = 0;

function must(condition, message) {
  if (!condition) throw new Error(message);
}

function log(message) {
  console.log(message);
}

/** A browser context with its own cookies; CSP violations and page errors become findings. */
async function open(browser, who) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(60_000); // a debug build renders the overview's forecast slowly
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) {
      findings.push(`${who} ${page.url()}: CSP violation: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => findings.push(`${who} ${page.url()}: script error: ${e.message}`));
  return { context, page, who };
}

/** axe-core on the page as it is now; serious and critical violations are findings. */
async function audit({ page, who }, name) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(AXE_SOURCE);
  }
  const tags = [...AXE_TAGS, ...AXE_NOTES];
  const result = await page.evaluate((t) => window.axe.run(document, { runOnly: t }), tags);
  audited += 1;
  const describe = (v) => {
    const targets = v.nodes.map((n) => n.target.join(' ')).slice(0, 8).join(' | ');
    return `${name} (${who}): axe ${v.impact} ${v.id}: ${v.help} [${v.nodes.length}] ${targets}`;
  };
  let counted = 0;
  for (const v of result.violations) {
    const wcag = v.tags.some((t) => AXE_TAGS.includes(t));
    if (wcag && (v.impact === 'serious' || v.impact === 'critical')) {
      counted += 1;
      findings.push(describe(v));
    } else {
      log(`  note ${describe(v)}${wcag ? '' : ' (best practice)'}`);
    }
  }
  // What axe could not decide (e.g. contrast over a gradient) is for a person to look at.
  for (const v of result.incomplete) log(`  review ${describe(v)}`);
  log(`  axe ${name}: ${counted} serious/critical, ${result.violations.length - counted} other, ${result.passes.length} rule(s) passed`);
}

async function shoot({ page }, name) {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Audits and screenshots the page under `name`. */
async function check(tab, name) {
  await audit(tab, name);
  await shoot(tab, name);
}

/** Goes to `path`; fails unless the answer has one of the `statuses`. */
async function visit({ page }, path, statuses = [200]) {
  const response = await page.goto(`${BASE_URL}${path}`);
  must(response, `no response for ${path}`);
  must(statuses.includes(response.status()), `${path} answered ${response.status()}, expected ${statuses}`);
  return response;
}

function pathOf(page) {
  return new URL(page.url()).pathname;
}

async function signIn(tab, token) {
  const { page } = tab;
  await visit(tab, '/signin');
  await page.fill('#token', token);
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('form[action="/signin"] button[type="submit"]')]);
  must((await page.locator('form[action="/signout"]').count()) === 1, `${tab.who}: signed in but no sign-out form`);
}

async function signOut(tab) {
  const { page } = tab;
  await Promise.all([page.waitForNavigation(), page.click('form[action="/signout"] button')]);
  await visit(tab, '/');
  must(pathOf(page) === '/signin', `${tab.who}: after signing out, / shows ${page.url()} instead of the sign-in page`);
  log(`ok ${tab.who}: signing out ends the session (/ leads to /signin)`);
}

function digits(text) {
  return (text ?? '').replace(/[^0-9]/g, '');
}

async function projectOffice(browser) {
  const tab = await open(browser, 'project office');
  const { page } = tab;

  await visit(tab, '/signin');
  await check(tab, 'signin');
  await signIn(tab, env('PO_TOKEN'));
  log('ok project office: signed in with a token');

  // The overview shows the API's figures.
  const inScope = await page.textContent('[data-kpi="procedures"] [data-figure="inScope"]');
  must(
    digits(inScope) === env('EXPECT_IN_SCOPE'),
    `overview: procedures in scope shows "${inScope}", the API says ${env('EXPECT_IN_SCOPE')}`,
  );
  log(`ok overview: procedures in scope ${inScope}, as the API says`);
  await check(tab, 'overview');
  if (docs) {
    mkdirSync(DOCS_DIR, { recursive: true });
    await page.screenshot({ path: join(DOCS_DIR, 'overview.png') });
  }

  // The list, filtered by bureau through the form.
  await visit(tab, '/procedures');
  await check(tab, 'procedures');
  await page.selectOption('#f-bureau', BUREAU);
  await Promise.all([page.waitForURL(/bureau=/), page.click('form.filters button[type="submit"]')]);
  must(new URL(page.url()).searchParams.get('bureau') === BUREAU, `the filter is not in the URL: ${page.url()}`);
  const count = Number(digits(await page.textContent('#result-count')));
  const rows = await page.locator('#procedure-list tbody tr a[href^="/procedures/"]').count();
  must(count > 0 && rows === count, `filtered list: #result-count says ${count}, the table has ${rows} rows`);
  must(
    (await page.locator(`a[href="/procedures/${env('OTHER_CODE')}"]`).count()) === 0,
    `the ${BUREAU} list shows ${env('OTHER_CODE')}`,
  );
  log(`ok procedures: filtered by ${BUREAU}, ${count} rows`);
  await check(tab, 'procedures-filtered');

  // Follow the link to the procedure; keep a second tab on it for a stale submission later.
  const code = env('MOVE_CODE');
  await Promise.all([page.waitForURL(`**/procedures/${code}`), page.click(`a[href="/procedures/${code}"]`)]);
  must((await page.getAttribute('#state', 'data-state')) === 'hearing', `${code} is not in hearing`);
  await check(tab, 'procedure');
  if (docs) await page.screenshot({ path: join(DOCS_DIR, 'procedure.png') });
  const stale = await tab.context.newPage();
  await stale.goto(page.url());

  // A transition from the page: the history grows by one and the state changes.
  const before = await page.locator('#history li').count();
  const form = page.locator('form[data-transition="scheduled"]');
  await form.locator('textarea').fill('ブラウザから日程確定');
  await Promise.all([page.waitForNavigation(), form.locator('button[type="submit"]').click()]);
  must(pathOf(page) === `/procedures/${code}`, `after the transition the browser is on ${page.url()}`);
  await page.waitForSelector('#state[data-state="scheduled"]');
  const after = await page.locator('#history li').count();
  must(after === before + 1, `history: ${before} entries before the transition, ${after} after`);
  must((await page.textContent('#history')).includes('ブラウザから日程確定'), 'the comment is not in the history');
  log(`ok procedure ${code}: moved to scheduled, history ${before} -> ${after}`);
  await check(tab, 'procedure-moved');

  // The second tab still shows the old version: its submission is refused with a way to reload.
  const staleForm = stale.locator('form[data-transition="scheduled"]');
  await Promise.all([stale.waitForNavigation(), staleForm.locator('button[type="submit"]').click()]);
  must(
    (await stale.locator('[data-code="VERSION_CONFLICT"]').count()) === 1 && (await stale.locator('#reload').count()) === 1,
    `a stale submission does not say VERSION_CONFLICT with a reload link: ${stale.url()}`,
  );
  log('ok a stale form is refused with VERSION_CONFLICT and a reload link');
  await check({ ...tab, page: stale }, 'procedure-conflict');
  await stale.close();

  // A transition whose guard does not hold shows the reason instead of a button.
  const refused = env('REFUSED_CODE');
  await visit(tab, `/procedures/${refused}`);
  const reason = page.locator('[data-refused="scheduled"]');
  must((await reason.count()) === 1, `${refused}: no refusal shown for scheduled`);
  must((await page.locator('form[data-transition="scheduled"]').count()) === 0, `${refused}: scheduled offered`);
  const why = (await reason.textContent()).trim();
  must(why.length > 0, `${refused}: the refusal is empty`);
  log(`ok procedure ${refused}: scheduled refused: ${why.replace(/\s+/g, ' ')}`);
  await check(tab, 'procedure-refused');

  await extraPages(tab, '/admin');

  // The English pages (the preference is kept per user: switch back afterwards).
  await Promise.all([page.waitForNavigation(), page.click('form[action="/language"] button[value="en"]')]);
  must((await page.getAttribute('html', 'lang')) === 'en', 'the language switch did not give English');
  await visit(tab, '/');
  await check(tab, 'overview-en');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/language"] button[value="ja"]')]);
  must((await page.getAttribute('html', 'lang')) === 'ja', 'switching back did not give Japanese');
  log('ok language: English and back to Japanese');

  await signOut(tab);
  await tab.context.close();
}

/** The other areas' pages. `except` is visited by the administrator. */
async function extraPages(tab, except) {
  for (const path of EXTRA_PAGES.filter((p) => p !== except)) {
    await extraPage(tab, path);
  }
}

async function extraPage(tab, path) {
  // Asked first with the context's cookies: Chromium shows no page for an empty error body.
  const probe = await tab.context.request.get(`${BASE_URL}${path}`, { maxRedirects: 0 });
  const name = path.slice(1);
  must(probe.status() === 200, `${path} answered ${probe.status()} to ${tab.who}`);
  await visit(tab, path);
  log(`ok ${path} (${tab.who})`);
  await check(tab, name);
}

async function coordinator(browser) {
  const tab = await open(browser, 'coordinator');
  const { page } = tab;
  await signIn(tab, env('COORD_TOKEN'));
  const other = env('OTHER_CODE');
  await visit(tab, `/procedures/${other}`);
  must((await page.locator('form[data-transition]').count()) === 0, `${other}: the coordinator gets transition forms`);
  must((await page.locator('#read-only').count()) === 1, `${other}: no #read-only note for the coordinator`);
  log(`ok coordinator: ${other} of another bureau is read-only`);
  await check(tab, 'procedure-other-bureau');
  await signOut(tab);
  await tab.context.close();
}

async function administrator(browser) {
  const token = env('ADMIN_TOKEN');
  const tab = await open(browser, 'administrator');
  await signIn(tab, token);
  await extraPage(tab, '/admin');
  await signOut(tab);
  await tab.context.close();
}

async function main() {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  log(`browser: Chromium ${browser.version()}, axe-core ${JSON.parse(readFileSync(require.resolve('axe-core/package.json'), 'utf8')).version}`);
  try {
    await projectOffice(browser);
    await coordinator(browser);
    await administrator(browser);
  } finally {
    await browser.close();
  }
  log(`pages audited: ${audited}; screenshots in ${SCREENSHOT_DIR}`);
  if (findings.length > 0) {
    console.error(`FAIL: ${findings.length} finding(s):\n${findings.join('\n')}`);
    process.exit(1);
  }
  log('PASS');
}

main().catch((e) => {
  console.error(`FAIL: ${e.stack ?? e}`);
  if (findings.length > 0) console.error(`findings so far:\n${findings.join('\n')}`);
  process.exit(1);
});
