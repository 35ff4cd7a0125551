// Prints the gzipped size of the JavaScript that the first page load fetches: the entry
// script and the modules it preloads, as listed in dist/index.html. Lazy pages (project
// tabs, Recharts, uPlot) are not counted. Exits 1 above the budget.
// Run `npm run build` first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 300;
const dist = 'dist';

let html;
try {
  html = readFileSync(join(dist, 'index.html'), 'utf8');
} catch {
  console.error('dist/index.html is missing: run `npm run build` first.');
  process.exit(1);
}

const scripts = [...html.matchAll(/<script[^>]+src="\/?([^"]+\.js)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/?([^"]+\.js)"/g)].map(
  (match) => match[1],
);
const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="\/?([^"]+\.css)"/g)].map((match) => match[1]);

function measure(files) {
  return files.map((file) => {
    const bytes = readFileSync(join(dist, file));
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

const js = measure([...new Set(scripts)]);
const css = measure([...new Set(styles)]);
const kb = (bytes) => (bytes / 1024).toFixed(1);
for (const item of [...js, ...css]) {
  console.log(`${item.file}: ${kb(item.raw)} KB, ${kb(item.gzip)} KB gzipped`);
}
const jsGzip = js.reduce((sum, item) => sum + item.gzip, 0);
const cssGzip = css.reduce((sum, item) => sum + item.gzip, 0);
console.log(`initial JS: ${kb(jsGzip)} KB gzipped (budget ${BUDGET_KB} KB); initial CSS: ${kb(cssGzip)} KB gzipped`);
if (js.length === 0) {
  console.error('dist/index.html lists no script.');
  process.exit(1);
}
if (jsGzip > BUDGET_KB * 1024) {
  console.error(`initial JS is over the ${BUDGET_KB} KB budget`);
  process.exit(1);
}
