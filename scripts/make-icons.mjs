#!/usr/bin/env node
// Renders public/icons/icon.svg to the PNG app icons with Debian's Chromium
// (playwright-core, no browser download). The build does not run this: the
// PNGs are committed. Re-run after editing icon.svg:
//   node scripts/make-icons.mjs
// CHROMIUM_PATH overrides /usr/bin/chromium.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const iconsDir = fileURLToPath(new URL('../public/icons/', import.meta.url));
const THEME = '#1d3f72';
// Maskable icons are cropped to a circle of radius 40% of the size at worst
// (the "80% safe zone"). The glyph's farthest corner from the centre sits at
// about 190/512 at scale 1; 0.85 keeps it well inside 204.8/512.
const MASKABLE_GLYPH_SCALE = 0.85;

const source = await readFile(`${iconsDir}icon.svg`, 'utf8');
const glyph = source.match(/<g id="glyph">[\s\S]*?<\/g>/)?.[0];
if (!glyph) throw new Error('icon.svg has no <g id="glyph">');

const offset = (512 * (1 - MASKABLE_GLYPH_SCALE)) / 2;
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">
  <rect width="512" height="512" fill="${THEME}"/>
  <g transform="translate(${offset} ${offset}) scale(${MASKABLE_GLYPH_SCALE})">${glyph}</g>
</svg>`;

const outputs = [
  { file: 'icon-192.png', svg: source, size: 192 },
  { file: 'icon-512.png', svg: source, size: 512 },
  { file: 'maskable-512.png', svg: maskable, size: 512 },
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  for (const { file, svg, size } of outputs) {
    await page.setViewportSize({ width: size, height: size });
    const sized = svg.replace(/width="512" height="512"/, `width="${size}" height="${size}"`);
    await page.setContent(
      `<!doctype html><style>html,body{margin:0;padding:0;background:transparent}svg{display:block}</style>${sized}`,
    );
    const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    await writeFile(`${iconsDir}${file}`, png);
    console.log(`wrote public/icons/${file} (${size}x${size}, ${png.length} bytes)`);
  }
} finally {
  await browser.close();
}
