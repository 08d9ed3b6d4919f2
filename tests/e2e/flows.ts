import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { encodeRgbPng } from '../png';
import { expect, test, type Page } from '@playwright/test';

/** A valid 4520-03 optional-unit choice (see tests/seed.ts): five optional units and one restricted unit. */
export const VALID_4520_03_OPTIONAL = ['J/601/3507', 'A/601/3293', 'D/500/7332', 'M/500/7383', 'L/502/1114', 'J/601/3247'];

export const LEARNER = {
  name: 'Priya Shah',
  employer: 'Northgate IT Services',
  startDate: '2026-03-02',
  plannedEndDate: '2027-09-30',
  hoursPerWeek: '6',
};

/** Criterion ids from qualifications/4520-03.json, in two different units. */
export const HS_1_1 = { id: 'health-and-safety-in-ict:1.1', unitId: 'health-and-safety-in-ict', label: 'H&S in ICT · 1.1', text: 'Identify relevant organisation health and safety procedures' };
export const TFD_L3_1_1 = {
  id: 'A/601/3293:1.1',
  unitId: 'A/601/3293',
  label: 'Fault diagnosis L3 · 1.1',
  text: 'Describe the steps of the diagnostic process including: fault validation; information gathering; information analysis; solution identification',
};

/**
 * An RGB photo-like PNG: a gradient with a "switch" drawn on it and sensor-like noise, so it
 * compresses about as badly as a real photo (a few hundred KB at 480x360).
 */
export function makePng(width = 480, height = 360, seed = 42): Buffer {
  let state = seed >>> 0;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    row[0] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const inBox = x > width * 0.2 && x < width * 0.8 && y > height * 0.4 && y < height * 0.6;
      const port = inBox && Math.floor(x / 12) % 2 === 0 && y > height * 0.45 && y < height * 0.52;
      const noise = () => Math.floor(rand() * 40) - 20;
      const base = port ? [20, 20, 24] : inBox ? [200, 204, 210] : [40 + (x * 120) / width, 70 + (y * 100) / height, 140];
      for (let c = 0; c < 3; c++) row[1 + x * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c]! + noise())));
    }
    rows.push(row);
  }
  return encodeRgbPng(width, height, Buffer.concat(rows), 9);
}

export interface TempFile {
  path: string;
  name: string;
  bytes: Buffer;
  sha256: string;
}

export function sha256(bytes: Buffer | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes a real PNG into the test's output folder (emptied on every run), as a photo picker would
 * hand it over. The default is a few hundred KB; 1600x1240 makes a photo of about 5 MB.
 */
export function writeTempPng(name = 'switch-replaced.png', seed = 42, size: { width: number; height: number } = { width: 480, height: 360 }): TempFile {
  const bytes = makePng(size.width, size.height, seed);
  const path = test.info().outputPath(name);
  writeFileSync(path, bytes);
  return { path, name, bytes, sha256: sha256(bytes) };
}

// ---------------------------------------------------------------------------------------------
// Flows through the UI, as a learner would do them.

/** From the welcome screen (or /enrol) to an enrolled learner on 4520-03 with a valid unit choice. */
export async function enrolThroughUi(page: Page, opts: { fromWelcome?: boolean } = {}): Promise<void> {
  if (opts.fromWelcome !== false) {
    await expect(page.getByRole('heading', { level: 1, name: 'Your ICT portfolio' })).toBeVisible();
    await page.getByRole('link', { name: 'Set up my portfolio' }).click();
  }
  await expect(page.getByRole('heading', { level: 1, name: 'Your enrolment' })).toBeVisible();
  await page.getByLabel('Your full name').fill(LEARNER.name);
  await page.getByLabel('Employer', { exact: true }).fill(LEARNER.employer);
  await page.getByRole('radio', { name: /\(4520-03\)/ }).check();
  await page.getByLabel('Start date').fill(LEARNER.startDate);
  await page.getByLabel('Planned end date').fill(LEARNER.plannedEndDate);
  await page.getByLabel('Planned off-the-job hours a week').fill(LEARNER.hoursPerWeek);
  // Two units are titled "Technical Fault Diagnosis" (L3 and L4): pick by unit id.
  for (const unitId of VALID_4520_03_OPTIONAL) await page.locator(`input[name="optionalUnitIds"][value="${unitId}"]`).check();
}

export async function saveEnrolment(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Save and start my portfolio' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Hello, ${LEARNER.name}` })).toBeVisible();
}

/** Ticks a criterion found through the picker's search box. */
export async function mapCriterion(page: Page, query: string, criterionId: string): Promise<void> {
  const search = page.locator('#criteria-search');
  await search.fill(query);
  const box = page.locator(`#criteria-search-results input[type="checkbox"][value="${criterionId}"]`);
  await box.check();
  await expect(box).toBeChecked();
}

export interface EvidenceInput {
  title: string;
  narrative: string;
  activityDate: string;
  method: string;
  hours: string;
  offTheJob: boolean;
}

/** Fills the editor's typed fields; the editor saves as it goes. */
export async function fillEvidence(page: Page, e: EvidenceInput): Promise<void> {
  await page.getByLabel('Title', { exact: true }).fill(e.title);
  // The first keystroke creates the item and the address becomes /evidence/<id>.
  await expect(page).toHaveURL(/\/evidence\/[0-9a-f-]{36}$/);
  await page.getByLabel('What you did and what you learned').fill(e.narrative);
  await page.getByLabel('Date of the activity').fill(e.activityDate);
  await page.getByLabel('Assessment method').selectOption(e.method);
  await page.getByLabel('Hours', { exact: true }).fill(e.hours);
  if (e.offTheJob) await page.getByLabel('These were off-the-job hours').check();
}

export async function attachFile(page: Page, file: TempFile): Promise<void> {
  await page.locator('#attach-files').setInputFiles(file.path);
  await expect(page.getByRole('status').filter({ hasText: `Added ${file.name}.` })).toBeVisible();
  await expect(page.getByRole('img', { name: file.name })).toBeVisible();
}

/** "Saved on this device" shows during quick saves too; aria-busy says whether writes are still queued. */
export async function waitForSaved(page: Page): Promise<void> {
  const status = page.getByTestId('save-status');
  await expect(status).toHaveText('Saved on this device');
  await expect(status).not.toHaveAttribute('aria-busy', 'true');
}

// ---------------------------------------------------------------------------------------------
// Touch targets

export interface SmallTarget {
  name: string;
  kind: string;
  width: number;
  height: number;
}

/**
 * Every visible button, link in main or nav, checkbox/radio label and select must be at least
 * 44x44 CSS px. Links inside running text of a <p> or <li> (the link is not the only text
 * there) are exempt, as WCAG 2.5.8 exempts inline targets.
 */
export async function smallTouchTargets(page: Page, min = 44): Promise<SmallTarget[]> {
  return page.evaluate((min) => {
    const visible = (el: Element) => {
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') return false;
      // Inside a closed <details>, only its summary is rendered.
      for (let d = el.closest('details:not([open])'); d; d = d.parentElement?.closest('details:not([open])') ?? null) {
        const summary = d.querySelector(':scope > summary');
        if (!summary || !summary.contains(el)) return false;
      }
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    };
    const nameOf = (el: Element): string => {
      const aria = el.getAttribute('aria-label');
      if (aria) return aria;
      if (el instanceof HTMLSelectElement) {
        const label = el.labels?.[0]?.textContent?.trim();
        return label ? `select "${label}"` : 'select';
      }
      return (el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 80);
    };
    const inlineInRunningText = (a: Element) => {
      const block = a.closest('p, li');
      if (!block) return false;
      const own = (a.textContent ?? '').replace(/\s+/g, '');
      const all = (block.textContent ?? '').replace(/\s+/g, '');
      return all.length > own.length;
    };
    const found: Array<{ name: string; kind: string; width: number; height: number }> = [];
    const check = (el: Element, kind: string) => {
      if (!visible(el)) return;
      const r = el.getBoundingClientRect();
      if (r.width + 0.5 < min || r.height + 0.5 < min)
        found.push({ name: nameOf(el), kind, width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10 });
    };
    for (const el of document.querySelectorAll('button')) check(el, 'button');
    for (const el of document.querySelectorAll('main a[href], nav a[href]')) if (!inlineInRunningText(el)) check(el, 'link');
    for (const input of document.querySelectorAll<HTMLInputElement>('input[type="checkbox"], input[type="radio"]')) {
      const label = input.closest('label') ?? input.labels?.[0];
      if (label) check(label, `${input.type} label`);
      else check(input, input.type);
    }
    for (const el of document.querySelectorAll('select')) check(el, 'select');
    for (const el of document.querySelectorAll('summary')) check(el, 'summary');
    return found;
  }, min);
}

export async function expectTouchTargets(page: Page, label: string): Promise<void> {
  const small = await smallTouchTargets(page);
  const report = small.map((s) => `  - ${s.kind} "${s.name}": ${s.width}x${s.height}`).join('\n');
  expect(small, `touch targets smaller than 44x44 CSS px on "${label}":\n${report}`).toEqual([]);
}
