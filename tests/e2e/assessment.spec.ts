import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unzipSync, zipSync } from 'fflate';
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { DEMO, deviceToken, nav, openDevice, signIn, summary, syncNow, waitUntilSynced, type Device, type Person } from './devices';
import { HS_1_1, TFD_L3_1_1, attachFile, expectTouchTargets, fillEvidence, mapCriterion, waitForSaved, writeTempPng, type EvidenceInput } from './flows';
import { expectNoAxeViolations, goOffline, screenshot } from './helpers';

/**
 * Assessment end to end, against the real centre and its seeded demo centre, on four devices:
 * Sam logs evidence on his phone; Tom reviews it on his tablet with no connection (refers one item
 * with feedback, records and signs off an observation, collects Sam's declaration, signs off two
 * items, all with drawn signatures); both sync and Sam sees the outcomes; Grace (IQA) samples
 * Tom's decisions and agrees with one, which locks it; Priya (admin) exports Sam's portfolio for
 * EQA, and `npm run verify` passes it and names the item whose photo was then altered.
 * A second test: a sign-off made offline with a key the admin revoked meanwhile is refused, in words.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** More criteria of Sam's 4520-03 units (qualifications/4520-03.json). */
const HS_1_2 = { id: 'health-and-safety-in-ict:1.2', label: 'H&S in ICT · 1.2', query: 'sources of health and safety information' };
const HS_1_3 = { id: 'health-and-safety-in-ict:1.3', label: 'H&S in ICT · 1.3', query: 'health safety procedures have been followed' };
const OWN_TIME = { id: 'D/503/5549:2.1', query: 'plan and manage own time' };

/** A repeat (--repeat-each, a retry) meets the earlier pass's data on the same centre: titles are made unique per pass. */
function unique(title: string): string {
  const pass = test.info().repeatEachIndex * 10 + test.info().retry;
  return pass === 0 ? title : `${title} (pass ${pass + 1})`;
}

function named(title: string): RegExp {
  return new RegExp(title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

/** Draws a signature with the mouse (pointer events, as a finger or stylus would) on the pad inside `scope`. */
async function drawSignature(page: Page, scope: Locator): Promise<void> {
  const canvas = scope.locator('canvas.signature-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  if (!box) throw new Error('the signature area is not on screen');
  const x0 = box.x + box.width * 0.1;
  const mid = box.y + box.height / 2;
  await page.mouse.move(x0, mid);
  await page.mouse.down();
  for (let i = 1; i <= 16; i++) await page.mouse.move(x0 + (box.width * 0.75 * i) / 16, mid + Math.sin(i * 1.3) * box.height * 0.3, { steps: 2 });
  await page.mouse.up();
  // A second stroke: a line under the name.
  await page.mouse.move(x0, mid + box.height * 0.35);
  await page.mouse.down();
  await page.mouse.move(x0 + box.width * 0.6, mid + box.height * 0.3, { steps: 6 });
  await page.mouse.up();
  await expect(scope.getByText(/^Signed by /)).toBeVisible();
}

/** Ticks a criterion in a CriterionPicker whose search box has id `searchId`. */
async function mapIn(page: Page, searchId: string, query: string, criterionId: string): Promise<void> {
  await page.locator(`#${searchId}`).fill(query);
  const box = page.locator(`#${searchId}-results input[type="checkbox"][value="${criterionId}"]`);
  await box.check();
  await expect(box).toBeChecked();
  await page.locator(`#${searchId}`).fill('');
}

/** Logs one item through the editor, mapped and submitted, as the learner does. */
async function logAndSubmit(page: Page, item: EvidenceInput, criteria: Array<{ query: string; id: string }>, photo?: ReturnType<typeof writeTempPng>): Promise<string> {
  await nav(page, 'Evidence');
  await page.getByRole('link', { name: 'Log new evidence' }).click();
  await fillEvidence(page, item);
  const id = new URL(page.url()).pathname.split('/').pop()!;
  if (photo) await attachFile(page, photo);
  for (const c of criteria) await mapCriterion(page, c.query, c.id);
  await page.locator('#criteria-search').fill('');
  await page.getByRole('button', { name: 'Submit for assessment' }).click();
  await expect(page.locator('.tag.submitted')).toHaveText('Submitted');
  await waitForSaved(page);
  return id;
}

/** Opens an item from the assessor's learner page (SPA navigation: works offline). */
async function openForReview(page: Page, title: string): Promise<void> {
  await page.getByTestId('evidence-group-awaiting').getByRole('link', { name: named(title) }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Review evidence' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: named(title) })).toBeVisible();
}

/** From the review screen's result back to the learner's page. */
async function backToLearner(page: Page, learner: string): Promise<void> {
  await page.getByRole('link', { name: `Back to ${learner}`, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: learner })).toBeVisible();
}

/** Accepts the item open on the review screen, signing with a drawn signature. */
async function acceptOpenItem(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Accept and sign off' }).click();
  const panel = page.getByTestId('review-sign-panel');
  await expect(panel).toBeVisible();
  await drawSignature(page, panel);
  await panel.getByRole('button', { name: 'Sign off', exact: true }).click();
  await expect(page.getByTestId('decision-result')).toContainText('Signed off on this tablet');
}

/** `npm run verify -- FILE` from the repo root: exit code and everything it printed. */
function runVerify(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/verify.ts', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Signs in through the API (no browser), for what the admin does behind the scenes. */
async function apiToken(request: APIRequestContext, person: Person): Promise<string> {
  const response = await request.post('/api/auth/sign-in', {
    data: { email: person.email, password: person.password, deviceId: crypto.randomUUID(), deviceLabel: 'E2E test runner' },
  });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function closeAll(devices: Array<Device | undefined>): Promise<void> {
  for (const device of devices) await device?.context.close().catch(() => undefined);
}

test('an assessor reviews, refers and signs off offline on a tablet; IQA agrees; the EQA export verifies and catches an altered photo', async ({ browser, baseURL }) => {
  test.setTimeout(200_000);
  const photo = writeTempPng('core-switch-after-swap.png', 4600 + test.info().repeatEachIndex);
  const item1: EvidenceInput = {
    title: unique('Followed the server room safety procedure'),
    narrative: 'Read the server room procedure before the rack move, checked the fire suppression notice and lifted the UPS with a colleague.',
    activityDate: '2026-10-05',
    method: 'practical-demonstration',
    hours: '1.5',
    offTheJob: false,
  };
  const item2: EvidenceInput = {
    title: unique('Swapped the faulty core switch and tested every port'),
    narrative: 'Validated the fault with the users, read the switch logs, swapped the unit and tested every port. Photo of the new switch attached.',
    activityDate: '2026-10-12',
    method: 'practical-demonstration',
    hours: '2',
    offTheJob: false,
  };
  const item3: EvidenceInput = {
    title: unique('Planned my week around the patch window'),
    narrative: 'Blocked out the Tuesday patch window, moved two routine jobs to Monday and kept a log of how long each task really took.',
    activityDate: '2026-10-19',
    method: 'professional-discussion',
    hours: '1',
    offTheJob: true,
  };
  const observationTitle = unique('Observed: safety checks before opening a rack');
  const feedback = {
    overall: 'Good start. Say which procedure you followed and attach the checklist you signed, then submit it again.',
    hs11: 'Name the procedure (document title and version) you read.',
    hs13: 'Show how you followed it: the signed checklist or a witness statement.',
  };

  let sam: Device | undefined, tablet: Device | undefined, grace: Device | undefined, priya: Device | undefined;
  try {
    // --- 1. Sam logs three items on his device, one with a photo, and syncs ---------------
    sam = await openDevice(browser, baseURL!, 'Sam’s phone');
    await signIn(sam.page, DEMO.sam);
    await logAndSubmit(sam.page, item1, [
      { query: 'health safety procedures', id: HS_1_1.id },
      { query: HS_1_3.query, id: HS_1_3.id },
    ]);
    await logAndSubmit(sam.page, item2, [{ query: 'fault diagnosis L3', id: TFD_L3_1_1.id }], photo);
    await logAndSubmit(sam.page, item3, [{ query: OWN_TIME.query, id: OWN_TIME.id }]);
    await syncNow(sam.page);
    await waitUntilSynced(sam.page, 45_000);

    // --- 2. Tom's tablet: sign in, sync, caseload; then offline ---------------------------
    tablet = await openDevice(browser, baseURL!, 'Tom’s tablet');
    const t = tablet.page;
    await signIn(t, DEMO.tom);
    await t.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Caseload', exact: true }).click();
    await expect(t.getByRole('heading', { level: 1, name: 'Your caseload' })).toBeVisible();
    const samCard = t.getByTestId('caseload-learner').filter({ hasText: DEMO.sam.name });
    await expect(samCard).toBeVisible();
    await expect.poll(async () => Number.parseInt((await samCard.getByTestId('awaiting').textContent()) ?? '0', 10) || 0, { message: 'Sam’s items awaiting review' }).toBeGreaterThanOrEqual(3);
    // Every file (Sam's photo) is on the tablet before the visit.
    await expect(t.getByTestId('visit-readiness')).toContainText('Everything for your visit is on this tablet.', { timeout: 30_000 });

    const offline = await goOffline(tablet.context);
    await expect(summary(t)).toContainText('Offline');
    await expectNoAxeViolations(t, 'caseload');
    await expectTouchTargets(t, 'caseload');
    await screenshot(t, '30-caseload');

    await samCard.getByRole('link', { name: named(DEMO.sam.name) }).click();
    await expect(t.getByRole('heading', { level: 1, name: DEMO.sam.name })).toBeVisible();
    await expect(t.getByTestId('evidence-group-awaiting').getByRole('link', { name: named(item1.title) })).toBeVisible();
    await expectNoAxeViolations(t, 'learner page');
    await expectTouchTargets(t, 'learner page');
    await screenshot(t, '31-assessor-learner');

    // Item 1: referred, with feedback on each criterion and overall, signed with a drawn signature.
    await openForReview(t, item1.title);
    await t.getByLabel(`Feedback on ${HS_1_1.label}`).fill(feedback.hs11);
    await t.getByLabel(`Feedback on ${HS_1_3.label}`).fill(feedback.hs13);
    await t.getByLabel(`Overall feedback to ${DEMO.sam.name}`).fill(feedback.overall);
    await t.getByRole('button', { name: 'Refer back to the learner' }).click();
    const referPanel = t.getByTestId('review-sign-panel');
    await expect(referPanel.getByRole('heading', { name: 'Refer this evidence back' })).toBeVisible();
    await drawSignature(t, referPanel);
    await referPanel.getByRole('button', { name: 'Refer back', exact: true }).click();
    await expect(t.getByTestId('decision-result')).toContainText(`Referred back to ${DEMO.sam.name}`);
    await backToLearner(t, DEMO.sam.name);
    await expect(t.getByTestId('evidence-group-referred').getByRole('link', { name: named(item1.title) })).toBeVisible();

    // An observation, mapped to a criterion, submitted, then signed off.
    await t.getByRole('link', { name: 'Observation', exact: true }).click();
    await expect(t.getByRole('heading', { level: 1, name: `Observation: ${DEMO.sam.name}` })).toBeVisible();
    await t.locator('#record-title').fill(observationTitle);
    await expect(t).toHaveURL(/\/record\/observation\/[0-9a-f-]{36}$/);
    await t.locator('#record-narrative').fill('Sam checked the rack was isolated, wore the antistatic strap and read the safety notices before opening the rack. He told me where the H&S information is kept.');
    await t.locator('#record-hours').fill('0.5');
    await mapIn(t, 'record-criteria-search', HS_1_2.query, HS_1_2.id);
    await t.getByRole('button', { name: 'Submit for sign-off' }).click();
    await t.getByRole('link', { name: 'Review and sign off now' }).click();
    await expect(t.getByRole('heading', { level: 1, name: 'Review evidence' })).toBeVisible();
    await acceptOpenItem(t);
    await backToLearner(t, DEMO.sam.name);

    // Sam's declaration, drawn by Sam on the tablet, covering this visit's items.
    await t.getByRole('button', { name: `Collect ${DEMO.sam.name}'s declaration` }).click();
    const declaration = t.getByTestId('declaration-panel');
    await expect(declaration.getByTestId('declaration-text')).toBeVisible();
    const mine = [item1.title, item2.title, item3.title];
    for (const box of await declaration.locator('label.check').all()) {
      const text = (await box.textContent()) ?? '';
      await box.locator('input').setChecked(mine.some((title) => text.includes(title)));
    }
    await expect(declaration.locator('dd').filter({ hasText: /^3 of \d+$/ })).toBeVisible();
    await drawSignature(t, declaration.getByTestId('declaration-pad-signature'));
    await declaration.getByRole('button', { name: 'Record the declaration' }).click();
    await expect(t.getByTestId('signed-notice')).toContainText(`${DEMO.sam.name}'s declaration is recorded`);

    // Item 2: the photo shows inline offline; accepted.
    await openForReview(t, item2.title);
    const img = t.getByRole('img', { name: photo.name });
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBeGreaterThan(0);
    await expectNoAxeViolations(t, 'review screen');
    await expectTouchTargets(t, 'review screen');
    await screenshot(t, '32-review');
    await t.getByRole('button', { name: 'Accept and sign off' }).click();
    const signPanel = t.getByTestId('review-sign-panel');
    await drawSignature(t, signPanel);
    await expectNoAxeViolations(t, 'sign-off panel');
    await expectTouchTargets(t, 'sign-off panel');
    await screenshot(t, '33-sign-off-panel');
    await signPanel.getByRole('button', { name: 'Sign off', exact: true }).click();
    await expect(t.getByTestId('decision-result')).toContainText('Signed off on this tablet');
    await backToLearner(t, DEMO.sam.name);

    // Item 3: accepted.
    await openForReview(t, item3.title);
    await acceptOpenItem(t);
    await backToLearner(t, DEMO.sam.name);
    const signedOff = t.getByTestId('evidence-group-signed-off');
    for (const title of [item2.title, item3.title, observationTitle]) await expect(signedOff.getByRole('link', { name: named(title) })).toBeVisible();

    // --- 3. Online again: the tablet sends everything; Sam sees the outcomes ---------------
    await offline.goOnline();
    await syncNow(t);
    await waitUntilSynced(t, 45_000);
    await expect(t.getByTestId('sync-failures')).toHaveCount(0);

    await syncNow(sam.page);
    await waitUntilSynced(sam.page, 30_000);
    await nav(sam.page, 'Evidence');
    await sam.page.getByTestId('evidence-list').getByRole('link', { name: named(item1.title) }).click();
    const referred = sam.page.getByTestId('decision-summary');
    await expect(referred.getByRole('heading', { name: 'Referred back to you' })).toBeVisible();
    await expect(referred).toContainText(feedback.overall);
    await expect(referred).toContainText(`${HS_1_1.label}: ${feedback.hs11}`);
    await expect(referred).toContainText(`${HS_1_3.label}: ${feedback.hs13}`);
    await expect(referred).toContainText(`Signed by ${DEMO.tom.name} (assessor)`);
    // Referred: Sam can change it and submit it again.
    await expect(sam.page.getByLabel('Title', { exact: true })).toBeEditable();

    for (const title of [item2.title, item3.title]) {
      await nav(sam.page, 'Evidence');
      await sam.page.getByTestId('evidence-list').getByRole('link', { name: named(title) }).click();
      await expect(sam.page.getByRole('heading', { level: 1, name: 'Evidence' })).toBeVisible();
      await expect(sam.page.getByText('This evidence has been signed off, so it can no longer be changed.')).toBeVisible();
      await expect(sam.page.getByTestId('decision-summary').getByRole('heading', { name: 'Accepted and signed off' })).toBeVisible();
      // Nothing to type into: no editor fields, no submit or delete.
      await expect(sam.page.getByLabel('Title', { exact: true })).toHaveCount(0);
      await expect(sam.page.getByLabel('What you did and what you learned')).toHaveCount(0);
      await expect(sam.page.getByRole('button', { name: /Submit for assessment|^Delete$/ })).toHaveCount(0);
    }

    // --- 4. Grace (IQA) samples Tom's decisions and agrees with one ------------------------
    grace = await openDevice(browser, baseURL!, 'Grace’s laptop');
    const g = grace.page;
    await signIn(g, DEMO.grace);
    await g.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'IQA', exact: true }).click();
    await expect(g.getByRole('heading', { level: 1, name: 'Internal quality assurance' })).toBeVisible();
    const newPlan = g.getByRole('region', { name: 'New sampling plan' });
    await newPlan.getByLabel('Assessor', { exact: true }).selectOption({ label: DEMO.tom.name });
    await newPlan.getByLabel('Percentage to sample').fill('100');
    await newPlan.getByRole('button', { name: 'Make plan' }).click();
    await expect(g.getByText(`Made the plan for ${DEMO.tom.name}.`)).toBeVisible();
    await g.getByRole('link', { name: `View sample for ${DEMO.tom.name}` }).last().click();
    await expect(g.getByTestId('sample-list')).toBeVisible();
    const sampled = g.getByTestId('sample-list').locator(':scope > li').filter({ has: g.getByRole('heading', { level: 3, name: item2.title, exact: true }) });
    await expect(sampled).toHaveCount(1);
    await sampled.getByRole('button', { name: /Open and review/ }).click();
    await sampled.getByRole('radio', { name: /I agree with the assessor/ }).check();
    await drawSignature(g, sampled.locator('.sign-off-panel'));
    await sampled.getByRole('button', { name: 'Sign agreement' }).click();
    await expect(sampled.getByTestId('iqa-recorded')).toContainText('Agreement recorded.');
    const samplePath = new URL(g.url()).pathname;
    await syncNow(g);
    await waitUntilSynced(g, 30_000);
    await expect(g.getByTestId('sync-failures')).toHaveCount(0);
    // The centre's sample now shows the item locked by the agreement.
    await g.goto(samplePath);
    const lockedCard = g.getByTestId('sample-list').locator(':scope > li').filter({ has: g.getByRole('heading', { level: 3, name: item2.title, exact: true }) });
    await expect(lockedCard.getByTestId('iqa-lock')).toContainText(`${DEMO.grace.name} agreed with this sign-off`);

    // --- 5. Priya (admin) exports Sam's portfolio for EQA; verify passes, then catches a changed photo
    priya = await openDevice(browser, baseURL!, 'Priya’s laptop');
    const p = priya.page;
    await signIn(p, DEMO.priya);
    await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin', exact: true }).click();
    await p.getByRole('navigation', { name: 'Centre administration' }).getByRole('link', { name: 'Users', exact: true }).click();
    const samRow = p.getByTestId(`user-${DEMO.sam.email}`);
    await expect(samRow).toBeVisible();
    const downloading = p.waitForEvent('download');
    await samRow.getByRole('button', { name: `Export for EQA of ${DEMO.sam.name}` }).click();
    const download = await downloading;
    const zipPath = test.info().outputPath('sam-eqa-export.zip');
    await download.saveAs(zipPath);
    await expect(p.getByText(/Downloaded .*: the EQA export of Sam Patel\./)).toBeVisible();

    const good = await runVerify(zipPath);
    expect(good.code, `verify should pass:\n${good.stdout}\n${good.stderr}`).toBe(0);
    const counted = /(\d+) decisions \((\d+) signatures valid\)/.exec(good.stdout);
    expect(counted, `the summary names the decisions checked:\n${good.stdout}`).not.toBeNull();
    // Refer, two accepts, the observation's accept, the declaration and the IQA agreement.
    expect(Number(counted![1])).toBeGreaterThanOrEqual(6);
    expect(counted![2]).toBe(counted![1]);

    const entries = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const photoPath = Object.keys(entries).find((name) => name.startsWith('files/') && name.includes(photo.sha256));
    expect(photoPath, `the photo is in the export under its SHA-256: ${Object.keys(entries).join(', ')}`).toBeDefined();
    const bytes = entries[photoPath!]!;
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0x01;
    const alteredPath = test.info().outputPath('sam-eqa-export-altered.zip');
    writeFileSync(alteredPath, zipSync(entries));
    const bad = await runVerify(alteredPath);
    expect(bad.code, `verify should fail:\n${bad.stdout}\n${bad.stderr}`).toBe(1);
    expect(bad.stderr).toContain(`Evidence “${item2.title}”`);
    expect(bad.stderr).toContain(`Attachment “${photo.name}”`);
  } finally {
    await closeAll([sam, tablet, grace, priya]);
  }
});

test('a sign-off made offline with a key the admin revoked meanwhile is refused, and the tablet says why', async ({ browser, baseURL, request }) => {
  test.setTimeout(90_000);
  const learner = DEMO.jordan;
  let tablet: Device | undefined;
  try {
    tablet = await openDevice(browser, baseURL!, 'Tom’s second tablet');
    const t = tablet.page;
    await signIn(t, DEMO.tom);

    /** Records an observation of Jordan, mapped and submitted, then signs it off (sign with keyboard). */
    const observeAndSignOff = async (title: string) => {
      await t.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Caseload', exact: true }).click();
      await t.getByTestId('caseload-learner').filter({ hasText: learner.name }).getByRole('link', { name: named(learner.name) }).click();
      await expect(t.getByRole('heading', { level: 1, name: learner.name })).toBeVisible();
      await t.getByRole('link', { name: 'Observation', exact: true }).click();
      await t.locator('#record-title').fill(title);
      await expect(t).toHaveURL(/\/record\/observation\/[0-9a-f-]{36}$/);
      await t.locator('#record-narrative').fill('Jordan found the H&S policy on the intranet and talked me through the display screen checklist.');
      await t.locator('#record-hours').fill('0.5');
      await mapIn(t, 'record-criteria-search', HS_1_2.query, HS_1_2.id);
      await t.getByRole('button', { name: 'Submit for sign-off' }).click();
      await t.getByRole('link', { name: 'Review and sign off now' }).click();
      await t.getByRole('button', { name: 'Accept and sign off' }).click();
      const panel = t.getByTestId('review-sign-panel');
      await panel.getByRole('button', { name: /^Sign with keyboard/ }).click();
      await panel.getByRole('button', { name: 'Sign off', exact: true }).click();
      await expect(t.getByTestId('decision-result')).toContainText('Signed off on this tablet');
      return new URL(t.url()).pathname;
    };

    // Online: a first sign-off registers this tablet's signing key with the centre.
    await observeAndSignOff(unique('Observed: finding the H&S policy'));
    await syncNow(t);
    await waitUntilSynced(t);
    const token = await deviceToken(t);
    const keys = (await (await request.get('/api/keys', { headers: { Authorization: `Bearer ${token}` } })).json()) as { keys: Array<{ id: string; current: boolean; revokedAt: string | null }> };
    const key = keys.keys.find((k) => k.current && k.revokedAt === null);
    expect(key, `this tablet's registered key: ${JSON.stringify(keys)}`).toBeDefined();

    // Offline: another sign-off, signed with that key.
    const offline = await goOffline(tablet.context);
    await expect(summary(t)).toContainText('Offline');
    const secondTitle = unique('Observed: display screen checks');
    const reviewPath = await observeAndSignOff(secondTitle);

    // Meanwhile the admin revokes the key (the tablet was reported lost).
    const reason = 'Tablet reported lost on the Tuesday visit';
    const admin = await apiToken(request, DEMO.priya);
    const revoked = await request.post(`/api/keys/${key!.id}/revoke`, { headers: { Authorization: `Bearer ${admin}` }, data: { reason } });
    expect(revoked.status(), await revoked.text()).toBe(200);

    // Back online: the centre refuses the sign-off and the tablet says so, in words.
    await offline.goOnline();
    await syncNow(t);
    const failures = t.getByTestId('sync-failures');
    await expect(failures).toBeVisible({ timeout: 30_000 });
    const failure = failures.getByTestId('sync-failure').filter({ hasText: secondTitle });
    await expect(failure).toContainText('revoked');
    await expect(failure).toContainText(reason);
    await expect(t.getByRole('link', { name: /1 needs attention/ })).toBeVisible();
    await screenshot(t, '34-sign-off-refused-revoked-key');
    // The item is back awaiting review: the refused sign-off is not in effect on the tablet either.
    await t.goto(reviewPath);
    await expect(t.getByRole('button', { name: 'Accept and sign off' })).toBeVisible();
  } finally {
    await tablet?.context.close().catch(() => undefined);
  }
});
