/**
 * The reference for scrolling the evidence list: the same rows (markup and the app's stylesheet)
 * written once as plain HTML, so scrolling costs only what the browser itself needs.
 */
import { itemContent, statusFor } from './data';

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function build(o: { items: number; seed: number; pool: string[]; mappingsPerItem: number; stylesheet: string }) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = o.stylesheet;
  document.head.append(link);
  const rows: string[] = [];
  for (let i = 0; i < o.items; i++) {
    const c = itemContent(i, o.seed, o.pool, o.mappingsPerItem);
    rows.push(
      `<li><a class="list-link" href="#"><span class="list-title">${escape(c.title)}</span> <span class="tag ${statusFor(i)}">${statusFor(i)}</span><span class="small muted" style="display:block">${c.activityDate} · ${c.method} · ${c.criterionIds.length} criteria · ${c.hours} h</span></a></li>`,
    );
  }
  document.querySelector('ul.list')!.innerHTML = rows.join('');
  return new Promise<number>((resolve) => link.addEventListener('load', () => resolve(rows.length)));
}

(window as unknown as { benchStatic: { build: typeof build } }).benchStatic = { build };
document.documentElement.dataset.benchReady = '1';
