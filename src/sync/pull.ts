import { applyPullPage, missingSpecs, pullCursor } from '../data/sync-pull';
import { FrameworkSpec } from '../domain/qualification';
import { MAX_PULL_PAGE, PullResponse } from '../domain/sync';
import { CentreError, type CentreClient } from './api';

/**
 * Step 3 of a sync: the centre's changes in this user's scope, page by page from the cursor. Each
 * page is applied with its cursor in one transaction (data/sync-pull.ts), so an interrupted pull
 * carries on from the last whole page. Files are not downloaded here: only their names and sizes.
 */

export interface PullContext {
  client: CentreClient;
  pageSize?: number;
}

export interface PullReport {
  pages: number;
  applied: number;
  rebased: number;
  specs: number;
}

/** A guard against a centre whose cursor does not move: far more pages than any portfolio has. */
const MAX_PAGES = 10_000;

export async function pullChanges(ctx: PullContext): Promise<PullReport> {
  const report: PullReport = { pages: 0, applied: 0, rebased: 0, specs: 0 };
  const limit = ctx.pageSize ?? MAX_PULL_PAGE;
  for (let page = 0; page < MAX_PAGES; page++) {
    const since = await pullCursor();
    const response = await ctx.client.call('GET', `/api/sync/pull?since=${encodeURIComponent(since)}&limit=${limit}`, PullResponse);
    if (response.more && response.cursor === since)
      throw new CentreError('server', 'Your centre sent the same changes again without moving on. Nothing was lost; try again later.');
    // Enrolments keep the spec version they started on; one this device lacks comes with the page.
    const specs: FrameworkSpec[] = [];
    for (const wanted of await missingSpecs(response.changes))
      specs.push(await ctx.client.call('GET', `/api/specs/${encodeURIComponent(wanted.id)}/${wanted.version}`, FrameworkSpec));
    const applied = await applyPullPage(response, specs);
    report.pages++;
    report.applied += applied.applied;
    report.rebased += applied.rebased;
    report.specs += specs.length;
    if (!response.more) return report;
  }
  throw new CentreError('server', 'Your centre kept sending more changes than a portfolio can hold. Nothing was lost; try again later.');
}
