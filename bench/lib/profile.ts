import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SourceMapConsumer } from 'source-map-js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a script's file lives, in words: a package of node_modules, or the project's own folder. */
function moduleOf(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1]!;
  const own = /\/work\/[^/]+\/(server|src|bench)\//.exec(path) ?? /\/(server|src|bench)\//.exec(path);
  if (own) return `${own[1]}/`;
  if (path.startsWith('node:') || !path.includes('/')) return path ? 'node internals' : '(native/VM)';
  return path.split('/').slice(-2).join('/');
}

/**
 * Self time per function (file:line) and per module (npm package or project folder) of a V8 CPU
 * profile. "(program)" is the engine's own work outside JS, "(idle)" waiting, "(garbage collector)" GC.
 */
export function summariseProfile(profile: CpuProfile, name: (frame: ProfileNode['callFrame']) => string | null = () => null, limit = 12) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const modules = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const file = frame.url.split('/').pop() || '';
    const fn = frame.functionName || '(anonymous)';
    const key = name(frame) ?? (file ? `${fn} (${file}:${frame.lineNumber + 1})` : fn);
    self.set(key, (self.get(key) ?? 0) + ms);
    const mod = frame.url ? moduleOf(frame.url) : fn.startsWith('(') ? fn : '(native/VM)';
    modules.set(mod, (modules.get(mod) ?? 0) + ms);
  });
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([fn, ms]) => ({ fn, selfMs: Math.round(ms * 10) / 10, share: Math.round((ms / totalMs) * 1000) / 10 }));
  return { totalMs: Math.round(totalMs), top: rank(self), byModule: rank(modules) };
}

/**
 * Runs `action` under the V8 sampling profiler of the page (Chrome DevTools Protocol) and returns
 * where the main thread's time went: self time per function (file:line) and per module.
 * "(program)" is the browser's own work on the thread (style, layout, paint, IPC);
 * "(idle)" is waiting (IndexedDB, the network, other threads). With `appDir`, minified frames of
 * the built app are named by their source (the build's source maps).
 */
export async function profileIn(page: Page, action: () => Promise<unknown>, options: { appDir?: string; limit?: number } = {}) {
  const maps = new Map<string, SourceMapConsumer | null>();
  const original = (frame: ProfileNode['callFrame']): string | null => {
    const { url, lineNumber: line, columnNumber: column } = frame;
    if (!options.appDir || !url.startsWith('http')) return null;
    const path = new URL(url).pathname;
    if (!maps.has(path)) {
      const file = join(options.appDir, `${path}.map`);
      maps.set(path, existsSync(file) ? new SourceMapConsumer(JSON.parse(readFileSync(file, 'utf8'))) : null);
    }
    const map = maps.get(path);
    if (!map) return null;
    const pos = map.originalPositionFor({ line: line + 1, column });
    if (!pos.source) return null;
    return `${pos.name ?? '(anonymous)'} (${pos.source.replace(/^(\.\.\/)+/, '')}:${pos.line})`;
  };
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
    await cdp.send('Profiler.start');
    await action();
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
    return summariseProfile(profile, original, options.limit);
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/**
 * Summarises the .cpuprofile that `node --cpu-prof` wrote into `dir` for the busiest thread (a
 * process also writes one per worker thread, mostly idle).
 */
export function summariseCpuProfiles(dir: string, limit = 15) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const all = files.map((f) => ({ file: f, ...summariseProfile(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile, () => null, 1000) }));
  const busy = (p: (typeof all)[number]) => p.totalMs - (p.byModule.find((m) => m.fn === '(idle)')?.selfMs ?? 0);
  const best = all.sort((a, b) => busy(b) - busy(a))[0];
  if (!best) return null;
  return { ...best, top: best.top.slice(0, limit), byModule: best.byModule.slice(0, limit) };
}

interface TraceEvent {
  name: string;
  ph: string;
  ts?: number;
  dur?: number;
  tid: number;
  pid: number;
  args?: { name?: string };
}

/** Trace event names grouped the way DevTools' Performance panel summarises them. */
const GROUPS: Record<string, string[]> = {
  'Scripting': ['FunctionCall', 'EvaluateScript', 'v8.evaluateModule', 'TimerFire', 'FireAnimationFrame', 'EventDispatch', 'RunMicrotasks', 'V8.Execute'],
  'Style (recalculate)': ['UpdateLayoutTree', 'RecalculateStyles'],
  'Layout': ['Layout'],
  'Paint & composite': ['Paint', 'PrePaint', 'Layerize', 'UpdateLayer', 'CompositeLayers', 'Commit', 'PaintImage'],
  'Garbage collection': ['MinorGC', 'MajorGC', 'V8.GC_SCAVENGER', 'V8.GC_MARK_COMPACTOR'],
  'Parse HTML/CSS': ['ParseHTML', 'ParseAuthorStyleSheet'],
};

/**
 * Records a Chrome trace (devtools.timeline) of `action` and sums the renderer main thread's
 * time by kind (scripting, style, layout, paint, GC), plus its longest tasks: what a frame or a
 * screen spent its time on, including the browser's own rendering work that a JS profile cannot name.
 */
export async function traceIn(
  page: Page,
  action: () => Promise<unknown>,
  options: { browserWide?: boolean } = {},
): Promise<{ mainThreadMs: Record<string, number>; longestTasksMs: number[] }> {
  // Browser-wide when the action navigates to a new renderer (a page session would miss it).
  const browser = page.context().browser();
  const cdp = options.browserWide && browser ? await browser.newBrowserCDPSession() : await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  try {
    cdp.on('Tracing.dataCollected', (e) => void events.push(...(e.value as unknown as TraceEvent[])));
    const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.start', {
      categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8,disabled-by-default-v8.gc',
      transferMode: 'ReportEvents',
    } as never);
    await action();
    await cdp.send('Tracing.end');
    await complete;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
  // The renderer main thread of the page: the thread named CrRendererMain with the most RunTask time.
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`);
  const busy = new Map<string, number>();
  for (const e of events) if (e.name === 'RunTask' && e.dur && mains.includes(`${e.pid}:${e.tid}`)) busy.set(`${e.pid}:${e.tid}`, (busy.get(`${e.pid}:${e.tid}`) ?? 0) + e.dur);
  const main = [...busy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const onMain = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.dur);
  const mainThreadMs: Record<string, number> = {};
  for (const [group, names] of Object.entries(GROUPS)) {
    // Outermost events only, so a FunctionCall inside a TimerFire is not counted twice.
    const spans = onMain.filter((e) => names.includes(e.name)).map((e) => e as TraceEvent & { ts: number; dur: number });
    spans.sort((a, b) => a.ts - b.ts);
    let total = 0;
    let end = -Infinity;
    for (const s of spans) {
      if (s.ts >= end) {
        total += s.dur;
        end = s.ts + s.dur;
      } else if (s.ts + s.dur > end) {
        total += s.ts + s.dur - end;
        end = s.ts + s.dur;
      }
    }
    mainThreadMs[group] = Math.round(total / 100) / 10;
  }
  const tasks = onMain.filter((e) => e.name === 'RunTask').map((e) => e.dur! / 1000);
  mainThreadMs['All tasks'] = Math.round(tasks.reduce((a, b) => a + b, 0) * 10) / 10;
  return { mainThreadMs, longestTasksMs: tasks.sort((a, b) => b - a).slice(0, 5).map((t) => Math.round(t * 10) / 10) };
}
