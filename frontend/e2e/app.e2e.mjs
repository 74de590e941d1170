// End-to-end: the built app in Debian's Chromium against a real clinic-server with demo data.
// Run by `npm run e2e` (scripts/test-frontend.sh); every page is scanned by axe-core and screenshotted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { axe, buildServer, SHOTS, startStack, USERS, writeArtifact } from './harness.mjs';

let stack;
const T = { timeout: 15_000 };

before(async () => {
  buildServer();
  stack = await startStack();
});

after(async () => {
  if (stack) {
    writeFileSync(join(SHOTS, 'server.log'), stack.log.join(''));
    await stack.stop();
  }
});

async function signIn(context, role) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${role}] page error:`, e.message));
  await page.goto(`${stack.web}/login`);
  await page.getByLabel('Username').fill(USERS[role].username);
  await page.getByLabel('Password').fill(USERS[role].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor(T);
  return page;
}

/** Waits for a dialog to close; when it stays open, fails with what it says (a refusal, a problem code). */
async function closed(dialog) {
  try {
    await dialog.waitFor({ state: 'hidden', ...T });
  } catch (e) {
    const text = await dialog.innerText().catch(() => '(gone)');
    await dialog.page().keyboard.press('Escape'); // so the tests after this one find the page usable
    throw new Error(`the dialog stayed open: ${text.replace(/\s+/g, ' ').slice(0, 600)}`, { cause: e });
  }
}

async function checkPage(page, name) {
  await page.waitForLoadState('networkidle');
  const bad = await axe(page);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  assert.deepEqual(bad, [], `${name}: serious/critical accessibility violations:\n${JSON.stringify(bad, null, 2)}`);
}

const PAGES = {
  admin: ['Dashboard', 'Schedule', 'Patients', 'Reports', 'Admin'],
  scheduler: ['Dashboard', 'Schedule', 'Patients', 'Reports'],
  practitioner: ['Dashboard', 'My schedule', 'My patients', 'My figures'],
  patient: ['My appointments', 'Book'],
};

describe('each role signs in and sees its own navigation; every page passes axe', () => {
  for (const role of Object.keys(PAGES)) {
    it(`${role}`, async () => {
      const context = await stack.browser.newContext();
      const page = await signIn(context, role);
      const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
      assert.deepEqual(links, PAGES[role]);
      for (const label of PAGES[role]) {
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
        await page.getByRole('heading', { level: 1 }).waitFor(T);
        await checkPage(page, `${role}-${label.toLowerCase().replace(/\W+/g, '-')}`);
      }
      await context.close();
    });
  }

  it('the login page itself', async () => {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.web}/login`);
    await page.getByLabel('Password').fill('wrong');
    await page.getByLabel('Username').fill(USERS.scheduler.username);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor(T);
    assert.match(await alert.locator('code').textContent(), /^[A-Z_0-9]+$/, 'a refused login shows its code');
    await checkPage(page, 'login');
    await context.close();
  });
});

describe('the front desk works the schedule', () => {
  let context;
  let page;
  let watcher;
  let watcherPage;
  let booked;

  before(async () => {
    context = await stack.browser.newContext({ acceptDownloads: true });
    page = await signIn(context, 'scheduler');
    // A second browser (another member of staff) watching the same practitioner's week.
    watcher = await stack.browser.newContext();
    watcherPage = await signIn(watcher, 'admin');
  });
  after(async () => {
    await context?.close();
    await watcher?.close();
  });

  /** Next week (so no free time is too close to now for a type's minimum lead time, whatever the hour of the
   * run), moved further forward until it has free slots. */
  async function weekWithFreeSlots(p) {
    await p.getByRole('link', { name: 'Schedule' }).click();
    await p.locator('[role="grid"]').waitFor(T);
    await p.waitForLoadState('networkidle');
    await p.getByRole('button', { name: 'Next ›' }).click();
    for (let i = 0; i < 3; i++) {
      await p.waitForLoadState('networkidle');
      if ((await p.locator('[data-free]').count()) > 0) return;
      await p.getByRole('button', { name: 'Next ›' }).click();
    }
    await p.locator('[data-free]').first().waitFor(T);
  }

  it('books a free slot, and another browser sees it without reloading', async () => {
    await weekWithFreeSlots(page);
    await weekWithFreeSlots(watcherPage);
    const before = await watcherPage.locator('[data-appointment]').count();
    const free = page.locator('[data-free]').first();
    await free.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor(T);
    await dialog.getByLabel('Find patient (name, MRN or phone)').fill(process.env.E2E_PATIENT_PREFIX ?? 'a');
    const option = dialog.getByLabel('Patient', { exact: true }).locator('option').nth(1);
    await option.waitFor({ state: 'attached', ...T });
    await dialog.getByLabel('Patient', { exact: true }).selectOption({ index: 1 });
    const mine = await page.locator('[data-appointment]').count();
    await dialog.getByRole('button', { name: 'Book' }).click();
    await closed(dialog);
    await page.waitForFunction((n) => document.querySelectorAll('[data-appointment]').length === n + 1, mine, T);
    // Live: the other browser's grid shows one more appointment, with no reload.
    await watcherPage.waitForFunction((n) => document.querySelectorAll('[data-appointment]').length === n + 1, before, T);
    await page.screenshot({ path: join(SHOTS, 'schedule-after-booking.png'), fullPage: true });
    await watcherPage.screenshot({ path: join(SHOTS, 'schedule-live-update-second-browser.png'), fullPage: true });
  });

  it('refuses a conflicting booking in the form, before any request', async () => {
    const taken = page.locator('[data-appointment][data-status="booked"]').first();
    await taken.waitFor(T);
    const cell = taken.locator('xpath=ancestor::td[1]');
    const date = await cell.getAttribute('data-date');
    const label = await taken.textContent();
    const time = label.trim().slice(0, 5);
    let posted = 0;
    page.on('request', (r) => r.method() === 'POST' && r.url().includes('/api/v1/appointments') && posted++);
    await page.getByRole('button', { name: 'Book at a chosen time…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Find patient (name, MRN or phone)').fill(process.env.E2E_PATIENT_PREFIX ?? 'a');
    await dialog.getByLabel('Patient', { exact: true }).locator('option').nth(2).waitFor({ state: 'attached', ...T });
    await dialog.getByLabel('Patient', { exact: true }).selectOption({ index: 2 });
    await dialog.getByLabel('Date').fill(date);
    await dialog.getByLabel('Start time (HH:MM)').fill(time);
    await dialog.getByRole('button', { name: 'Book' }).click();
    const refusal = dialog.getByTestId('local-refusal');
    await refusal.waitFor(T);
    assert.match(await refusal.locator('code').first().textContent(), /SLOT_CONFLICT_PRACTITIONER|PATIENT_DOUBLE_BOOKED/);
    assert.equal(posted, 0, 'no booking request was sent');
    await page.screenshot({ path: join(SHOTS, 'schedule-conflict-refused.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Close' }).first().click();
  });

  it('reschedules by picking a new time, then cancels with a reason', async () => {
    const free = page.locator('[data-free]').nth(1);
    await free.waitFor(T);
    const freeCell = free.locator('xpath=ancestor::td[1]');
    const to = { date: await freeCell.getAttribute('data-date'), time: (await free.textContent()).replace('Free', '').trim() };
    await page.locator('[data-appointment][data-status="booked"]').first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('New date').fill(to.date);
    await dialog.getByLabel('New time').fill(to.time);
    await dialog.getByRole('button', { name: 'Move appointment' }).click();
    await dialog.waitFor({ state: 'hidden', ...T });
    const moved = page.locator(`td[data-date="${to.date}"] [data-appointment]`, { hasText: to.time });
    await moved.first().waitFor(T);
    await moved.first().click();
    await dialog.getByLabel('Reason for cancelling').fill('Patient called to cancel');
    await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
    await dialog.waitFor({ state: 'hidden', ...T });
    await page.locator(`td[data-date="${to.date}"] [data-status="cancelled"]`, { hasText: to.time }).first().waitFor(T);
  });

  it('reschedules by dragging an appointment onto a free time, and again from the keyboard', async () => {
    await weekWithFreeSlots(page);
    // A fresh appointment of the type whose free times are shown, so any free time fits it.
    const slot = page.locator('[data-free]').first();
    const from = slot.locator('xpath=ancestor::td[1]');
    const fromAt = { date: await from.getAttribute('data-date'), time: await from.getAttribute('data-time') };
    await slot.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Find patient (name, MRN or phone)').fill(process.env.E2E_PATIENT_PREFIX ?? 'a');
    await dialog.getByLabel('Patient', { exact: true }).locator('option').nth(2).waitFor({ state: 'attached', ...T });
    await dialog.getByLabel('Patient', { exact: true }).selectOption({ index: 2 });
    await dialog.getByRole('button', { name: 'Book' }).click();
    await closed(dialog);
    const cellAt = (at) => page.locator(`td[data-date="${at.date}"][data-time="${at.time}"]`);
    const booked = cellAt(fromAt).locator('[data-appointment][data-status="booked"]').first();
    await booked.waitFor(T);
    // Its patient's name is on it once loaded (the moved appointment is found by time and name).
    await page.waitForFunction((el) => !el.textContent.trim().endsWith('Appointment'), await booked.elementHandle(), T);
    const label = (await booked.textContent()).trim();

    // Drag it onto the last free time of the week: the drop opens the move, filled in, to confirm.
    const free = page.locator('[data-free]');
    const target = free.last();
    const toCell = target.locator('xpath=ancestor::td[1]');
    const to = { date: await toCell.getAttribute('data-date'), time: (await target.textContent()).replace('Free', '').trim() };
    // A real mouse drag (Chromium's HTML5 drag and drop): both ends must be on screen, so the window is
    // made tall enough for the whole day first.
    const size = page.viewportSize();
    await page.setViewportSize({ width: size.width, height: 2200 });
    await booked.dragTo(target);
    await dialog.waitFor(T);
    await page.setViewportSize(size);
    assert.equal(await dialog.getByLabel('New date').inputValue(), to.date);
    assert.equal(await dialog.getByLabel('New time').inputValue(), to.time);
    await page.screenshot({ path: join(SHOTS, 'schedule-drag-drop-confirm.png'), fullPage: true });
    await dialog.getByRole('button', { name: 'Move appointment' }).click();
    await closed(dialog);
    const moved = page.locator(`td[data-date="${to.date}"] [data-appointment][data-status="booked"]`, { hasText: `${to.time} ${label.slice(6)}` });
    await moved.first().waitFor(T);

    // The keyboard way: focus its cell, M picks it up, arrows carry it to another free time, Enter drops it.
    const srcCell = moved.first().locator('xpath=ancestor::td[1]');
    const [r0, c0] = (await srcCell.getAttribute('data-cell')).split('-').map(Number);
    const n = await free.count();
    let dest = null;
    for (let i = Math.floor(n / 2); i < n + Math.floor(n / 2) && !dest; i++) {
      const f = free.nth(i % n);
      const td = f.locator('xpath=ancestor::td[1]');
      if ((await td.getAttribute('data-cell')) !== `${r0}-${c0}`) dest = { td, time: (await f.textContent()).replace('Free', '').trim() };
    }
    assert.ok(dest, 'another free time to move to');
    const [r1, c1] = (await dest.td.getAttribute('data-cell')).split('-').map(Number);
    const destDate = await dest.td.getAttribute('data-date');
    await srcCell.focus();
    await page.keyboard.press('m');
    await page.getByTestId('move-status').filter({ hasText: 'Moving' }).waitFor(T);
    for (let i = 0; i < Math.abs(r1 - r0); i++) await page.keyboard.press(r1 > r0 ? 'ArrowDown' : 'ArrowUp');
    for (let i = 0; i < Math.abs(c1 - c0); i++) await page.keyboard.press(c1 > c0 ? 'ArrowRight' : 'ArrowLeft');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-cell')), `${r1}-${c1}`);
    await page.keyboard.press('Enter');
    await dialog.waitFor(T);
    assert.equal(await dialog.getByLabel('New date').inputValue(), destDate);
    assert.equal(await dialog.getByLabel('New time').inputValue(), dest.time);
    await dialog.getByRole('button', { name: 'Move appointment' }).click();
    await closed(dialog);
    await page.locator(`td[data-date="${destDate}"] [data-appointment][data-status="booked"]`, { hasText: `${dest.time} ${label.slice(6)}` }).first().waitFor(T);
    await checkPage(page, 'schedule-after-moves');
  });

  it('imports a patients file with bad rows and shows and downloads the rejection report', async () => {
    await page.getByRole('link', { name: 'Patients' }).click();
    const csv = [
      'mrn,given_name,family_name,date_of_birth,sex,phone,email',
      'E2E-001,Grace,Hopper,1906-12-09,female,+44 20 7946 0018,grace@example.org',
      'E2E-002,,Nameless,1980-01-01,male,,',
      'E2E-003,Alan,Turing,1912-06-23,male,not-a-phone,alan@example.org',
      'E2E-004,Future,Born,2999-01-01,other,,',
    ].join('\n');
    const file = writeArtifact('import-with-bad-rows.csv', csv);
    await page.getByLabel('File (CSV, XLS or XLSX)').setInputFiles(file);
    await page.getByLabel('Mode').selectOption('partial');
    await page.getByRole('button', { name: 'Import' }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor(T);
    assert.equal(await page.getByTestId('import-stored').textContent(), '1');
    assert.equal(await page.getByTestId('import-rejected').textContent(), '3');
    const rows = await report.locator('tbody tr').count();
    assert.ok(rows >= 3, `every rejected row is listed (${rows})`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download rejection report (CSV)' }).click()]);
    const text = readFileSync(await download.path(), 'utf8');
    assert.match(text, /^row,column,code,message,value/);
    assert.match(text, /INVALID_PHONE/);
    await checkPage(page, 'patients-import-report');
  });

  it('exports the report as a PDF with the expected text', async () => {
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByTestId('report-totals').waitFor(T);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export PDF' }).click()]);
    const bytes = readFileSync(await download.path());
    assert.equal(bytes.subarray(0, 4).toString('latin1'), '%PDF');
    const pdf = writeArtifact('report.pdf', bytes);
    const t = spawnSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, /appointments report/);
    assert.match(t.stdout, /Utilization/);
    assert.match(t.stdout, /Per practitioner/);
  });

  it('goes offline: the loaded schedule stays readable under a banner, and comes back', async () => {
    await page.getByRole('link', { name: 'Schedule' }).click();
    await page.locator('[role="grid"]').waitFor(T);
    await page.waitForLoadState('networkidle');
    const cells = await page.locator('[data-appointment]').count();
    await context.setOffline(true);
    await page.getByTestId('offline-banner').waitFor(T);
    assert.equal(await page.locator('[data-appointment]').count(), cells, 'the schedule stays on screen');
    await page.screenshot({ path: join(SHOTS, 'schedule-offline.png'), fullPage: true });
    // Not checked here: a reload while offline. Chromium's offline emulation does not cover the service
    // worker's own fetches, so such a reload would load from the network and prove nothing.
    await context.setOffline(false);
    await page.getByTestId('offline-banner').waitFor({ state: 'detached', ...T });
  });
});

describe('the admin manages user accounts', () => {
  let context;
  let page;
  before(async () => {
    context = await stack.browser.newContext();
    page = await signIn(context, 'admin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('table').getByRole('cell', { name: USERS.scheduler.username, exact: true }).waitFor(T);
  });
  after(async () => context?.close());

  const row = (name) => page.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });

  it('lists the accounts, adds one, changes its role, disables it (and its sign-in is refused)', async () => {
    const form = page.getByRole('form', { name: 'Add user' });
    // A practitioner account must name its practitioner: said in the form, before any request.
    let posted = 0;
    page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/v1/users') && posted++);
    await form.getByLabel('Username').fill('e2e.nurse');
    await form.getByLabel('Role').selectOption('practitioner');
    await form.getByLabel('Initial password').fill('nurse-e2e-2026');
    await form.getByRole('button', { name: 'Add user' }).click();
    await form.getByText('Choose the practitioner this user is').waitFor(T);
    assert.equal(posted, 0);
    await form.getByLabel('Role').selectOption('scheduler');
    await form.getByRole('button', { name: 'Add user' }).click();
    await row('e2e.nurse').waitFor(T);
    assert.match(await row('e2e.nurse').textContent(), /Front desk \(scheduler\).*active/);
    assert.equal(posted, 1);

    // The same name again: the server's refusal, in words and with its code.
    await form.getByLabel('Username').fill('E2E.Nurse');
    await form.getByLabel('Initial password').fill('nurse-e2e-2026');
    await form.getByRole('button', { name: 'Add user' }).click();
    await form.locator('[role="alert"][data-code="USERNAME_TAKEN"]').waitFor(T);
    await checkPage(page, 'admin-users');

    // Change the role (with the practitioner it needs), then disable.
    await row('e2e.nurse').getByRole('button', { name: 'Edit e2e.nurse' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Role', { exact: true }).selectOption('practitioner');
    await dialog.getByLabel('Acts as practitioner').selectOption({ index: 1 });
    await checkPage(page, 'admin-users-edit-dialog');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await closed(dialog);
    await row('e2e.nurse').filter({ hasText: 'Practitioner' }).waitFor(T);
    await row('e2e.nurse').getByRole('button', { name: 'Edit e2e.nurse' }).click();
    await dialog.getByLabel('Disabled (cannot sign in)').check();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await closed(dialog);
    await row('e2e.nurse').filter({ hasText: 'disabled' }).waitFor(T);
    await page.screenshot({ path: join(SHOTS, 'admin-users-after-changes.png'), fullPage: true });

    const other = await stack.browser.newContext();
    const p2 = await other.newPage();
    await p2.goto(`${stack.web}/login`);
    await p2.getByLabel('Username').fill('e2e.nurse');
    await p2.getByLabel('Password').fill('nurse-e2e-2026');
    await p2.getByRole('button', { name: 'Sign in' }).click();
    await p2.getByRole('alert').waitFor(T);
    assert.equal(await p2.getByRole('alert').locator('code').textContent(), 'INVALID_CREDENTIALS');
    await other.close();
  });
});

describe('on a phone (390×844)', () => {
  it('the navigation works and no main page scrolls sideways', async () => {
    const context = await stack.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await signIn(context, 'admin');
    const nav = page.getByRole('navigation', { name: 'Main' });
    const wide = [];
    for (const label of PAGES.admin) {
      const link = nav.getByRole('link', { name: label });
      const box = await link.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${label} link is on screen: ${JSON.stringify(box)}`);
      await link.tap();
      await page.getByRole('heading', { level: 1 }).waitFor(T);
      await page.waitForLoadState('networkidle');
      // Against the phone's width itself: a mobile browser zooms out to fit a page that is too wide, so the
      // window's own width would grow with the page.
      const [scroll, client, panned] = await page.evaluate(() => {
        window.scrollTo(10_000, window.scrollY);
        const x = Math.max(window.scrollX, window.visualViewport?.offsetLeft ?? 0, window.visualViewport?.pageLeft ?? 0);
        window.scrollTo(0, window.scrollY);
        return [document.documentElement.scrollWidth, document.documentElement.clientWidth, x];
      });
      if (scroll > 390 || client > 390 || panned > 0) wide.push(`${label}: ${scroll}px of content, ${client}px layout width, pans ${panned}px sideways on a 390px phone`);
      await page.screenshot({ path: join(SHOTS, `phone-${label.toLowerCase()}.png`), fullPage: true });
    }
    assert.deepEqual(wide, [], 'pages that scroll sideways on a phone');
    await context.close();
  });
});

// Last: it takes the web origin away for a while.
describe('offline reload', () => {
  it('the service worker serves the shell; the page says it is offline and the loaded schedule stays readable', async () => {
    const context = await stack.browser.newContext();
    const page = await signIn(context, 'scheduler');
    await page.getByRole('link', { name: 'Schedule' }).click();
    await page.locator('[role="grid"]').waitFor(T);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    // Once more under the worker's control, so what the schedule loads is what it keeps.
    await page.reload();
    await page.locator('[role="grid"]').waitFor(T);
    await page.waitForLoadState('networkidle');
    assert.equal(await page.evaluate(() => !!navigator.serviceWorker.controller), true, 'the service worker controls the page');
    const grid = await page.locator('[role="grid"]').getAttribute('aria-label');
    const count = await page.locator('[data-appointment]').count();
    assert.ok(count > 0, 'the demo week has appointments');

    await stack.stopWeb();
    await context.setOffline(true);
    try {
      const res = await page.reload();
      assert.ok(res === null || res.fromServiceWorker(), 'the shell came from the service worker');
      await page.getByTestId('offline-banner').waitFor(T);
      await page.locator('[role="grid"]').waitFor(T);
      assert.equal(await page.locator('[role="grid"]').getAttribute('aria-label'), grid);
      await page.waitForFunction((n) => document.querySelectorAll('[data-appointment]').length === n, count, T);
      await checkPage(page, 'schedule-offline-reload');
    } finally {
      await context.setOffline(false);
      await stack.startWeb();
    }
    await page.getByTestId('offline-banner').waitFor({ state: 'detached', ...T });
    await context.close();
  });
});
