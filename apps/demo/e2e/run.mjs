#!/usr/bin/env node
// End-to-end test of the demo in a real browser (Debian's chromium driven by playwright-core):
// builds the demo (unless --no-build), serves dist/ on 127.0.0.1 with COOP/COEP, and checks that
//   1. the wasm backend starts in the workers (threaded binary, cross-origin isolated);
//   2. the AttributionLab playground runs Integrated Gradients on a designed image and shows
//      numeric precision/recall/sign-agreement scores, and re-runs live when a setting changes;
//   3. super-resolution upscales an image chosen through the file input, tiled, with progress,
//      to a 4× canvas, and a cancelled run reports "cancelled";
//   4. the NTIRE metrics measure the model's parameters in the browser;
//   5. with LAB_DATA set: the official imdn_baseline.pth loads through the file input and
//      upscales Set5 "baby" (LR ×4).
// Screenshots go to lab-report/e2e/ at the repository root. Needs no network and no shared data.
//
// Usage: node e2e/run.mjs [--no-build] [--headed] [--all-methods]
//   CHROMIUM=/path/to/chromium (default /usr/bin/chromium), LAB_DATA=../shared/data (optional)
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const appDir = resolve(here, '..');
const repoRoot = resolve(appDir, '../..');
const distDir = join(appDir, 'dist');
const shotsDir = join(repoRoot, 'lab-report', 'e2e');
const args = new Set(process.argv.slice(2));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** Whole run, including the build: past it the run fails (and the browser is closed). */
const TOTAL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 300_000);
/** One step (a wait for the page). */
const STEP_MS = 90_000;

const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const log = (msg) => console.log(`[e2e ${elapsed()}] ${msg}`);
const checks = [];
function check(name, ok, detail = '') {
  checks.push({ name, ok });
  console.log(`${ok ? '  ok  ' : '  FAIL'} ${name}${detail ? ` — ${detail}` : ''}`);
  if (!ok) throw new Error(`check failed: ${name}${detail ? ` (${detail})` : ''}`);
}

let browser;
let server;
const pageLog = [];

async function cleanup() {
  await browser?.close().catch(() => {});
  browser = undefined;
  await server?.close().catch(() => {});
  server = undefined;
}

const watchdog = setTimeout(async () => {
  console.error(`[e2e] timed out after ${TOTAL_TIMEOUT_MS / 1000} s`);
  printPageLog();
  await cleanup();
  process.exit(2);
}, TOTAL_TIMEOUT_MS);
watchdog.unref();

function printPageLog() {
  if (pageLog.length === 0) return;
  console.error('--- browser console (last 40 lines) ---');
  for (const line of pageLog.slice(-40)) console.error(line);
}

async function build() {
  for (const pkg of ['tensor', 'attribution', 'sr-models']) {
    if (!existsSync(join(repoRoot, 'packages', pkg, 'dist', 'index.js'))) {
      throw new Error(`packages/${pkg} is not built: run \`pnpm build\` (or \`pnpm demo\`) at the repository root first`);
    }
  }
  log('building the demo (vite build)…');
  const { build: viteBuild } = await import('vite');
  await viteBuild({ root: appDir, logLevel: 'warn', configFile: join(appDir, 'vite.config.ts') });
}

/** A PNG test image made here (no shared data): smooth gradients with a few hard edges. */
async function makePng(width, height) {
  const { encodePng } = await import('@lab/tensor');
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const edge = (x > width / 2) !== (y > height / 2);
      data[o] = Math.round((255 * x) / (width - 1));
      data[o + 1] = Math.round((255 * y) / (height - 1));
      data[o + 2] = edge ? 220 : 40;
    }
  }
  return Buffer.from(encodePng({ width, height, channels: 3, data }));
}

/** In the page: mean absolute difference (0–255 levels, RGB) between the model and bicubic canvases. */
function meanAbsDiff() {
  const read = (id) => {
    const c = document.getElementById(id);
    return c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  };
  const a = read('sr-output');
  const b = read('sr-bicubic');
  let sum = 0;
  for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
  return sum / ((a.length / 4) * 3);
}

async function main() {
  if (!existsSync(executablePath)) {
    throw new Error(`no browser at ${executablePath}: apt-get install -y --no-install-recommends chromium (or set CHROMIUM)`);
  }
  if (!args.has('--no-build')) await build();
  if (!existsSync(join(distDir, 'index.html'))) throw new Error(`${distDir} has no index.html: build the demo first`);
  await mkdir(shotsDir, { recursive: true });

  server = await serve(distDir);
  log(`serving dist/ at ${server.url}`);

  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath,
    headless: !args.has('--headed'),
    timeout: 60_000,
    // playwright-core gives every launch a fresh temporary --user-data-dir.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
  // Nothing but the local server may be reached.
  await context.route(/^https?:\/\//, (route) => {
    const url = route.request().url();
    return url.startsWith(server.url) ? route.continue() : route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('console', (m) => pageLog.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => pageLog.push(`[pageerror] ${e.message}`));
  page.on('worker', (w) => pageLog.push(`[worker started] ${w.url()}`));

  // 1. Backend.
  await page.goto(server.url, { waitUntil: 'load' });
  await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('backend')?.dataset.state ?? ''));
  const backendText = await page.textContent('#backend');
  check('wasm backend started in the workers', (await page.getAttribute('#backend', 'data-backend')) === 'wasm', backendText ?? '');
  check('page is cross-origin isolated (COOP/COEP)', await page.evaluate(() => self.crossOriginIsolated === true));
  check('threaded wasm binary loaded', (await page.getAttribute('#backend', 'data-multi-thread')) === 'true');

  // 2. AttributionLab: the first run (Integrated Gradients, the default), then a live update.
  const labRuns = () => page.evaluate(() => Number(document.getElementById('lab-status')?.dataset.runs ?? 0));
  const waitLab = async (after) => {
    await page.waitForFunction(
      (n) => {
        const s = document.getElementById('lab-status');
        return s?.dataset.state === 'error' || (s?.dataset.state === 'done' && Number(s.dataset.runs ?? 0) > n);
      },
      after,
    );
    const state = await page.getAttribute('#lab-status', 'data-state');
    if (state === 'error') throw new Error(`playground: ${await page.textContent('#lab-status')}`);
  };
  await waitLab(0);
  check('playground ran the default method', (await page.inputValue('#lab-method')) === 'integrated-gradients');
  const labTensors = () => page.evaluate(() => Number(document.getElementById('lab-status')?.dataset.tensors));
  const tensors0 = await labTensors();
  let runs = await labRuns();
  await page.fill('#lab-seed', '7');
  await page.fill('#lab-option-input', '16');
  await waitLab(runs);
  const scores = await page.$$eval('#lab-scores td[data-score]', (tds) => Object.fromEntries(tds.map((td) => [td.dataset.score, Number(td.dataset.value)])));
  const status = await page.textContent('#lab-status');
  check('IG scores are numbers in [0, 1]', Object.values(scores).every((v) => Number.isFinite(v) && v >= 0 && v <= 1), JSON.stringify(scores));
  check('IG recovers the positive features (precision ≥ 0.8)', scores.positivePrecision >= 0.8, `+P ${scores.positivePrecision.toFixed(3)}, −P ${scores.negativePrecision.toFixed(3)}, sign ${scores.signAgreement.toFixed(3)}`);
  check('live update used the new seed', /seed 7/.test(status ?? ''), status ?? '');
  await page.locator('#attribution').screenshot({ path: join(shotsDir, 'attribution-ig.png') });

  runs = await labRuns();
  await page.selectOption('#lab-method', 'occlusion');
  await waitLab(runs);
  const occ = await page.$$eval('#lab-scores td[data-score]', (tds) => Object.fromEntries(tds.map((td) => [td.dataset.score, Number(td.dataset.value)])));
  check('occlusion scores are numbers', Number.isFinite(occ.positivePrecision) && Number.isFinite(occ.signAgreement), JSON.stringify(occ));
  await page.locator('#attribution').screenshot({ path: join(shotsDir, 'attribution-occlusion.png') });

  if (args.has('--all-methods')) {
    // Every registered method on a 16×16 image: each must give finite scores (no worker error).
    await page.selectOption('#lab-size', '16');
    const names = await page.$$eval('#lab-method option', (os) => os.map((o) => o.value));
    for (const name of names) {
      runs = await labRuns();
      await page.selectOption('#lab-method', name);
      await waitLab(runs);
      const s = await page.$$eval('#lab-scores td[data-score]', (tds) => Object.fromEntries(tds.map((td) => [td.dataset.score, Number(td.dataset.value)])));
      check(`${name} scores`, Number.isFinite(s.positivePrecision) && Number.isFinite(s.positiveRecall), `+P ${s.positivePrecision.toFixed(2)} +R ${s.positiveRecall.toFixed(2)} sign ${Number.isFinite(s.signAgreement) ? s.signAgreement.toFixed(2) : '—'} · ${await page.textContent('#lab-status')}`);
    }
  }
  const tensors1 = await labTensors();
  check('no tensors leak in the playground worker', tensors1 === tensors0, `${tensors0} tensors alive after the first run, ${tensors1} after the last`);
  log('attribution done');

  // 3. Super-resolution with a random-weight IMDN: an image through the file input, tiled.
  await page.waitForFunction(() => !document.getElementById('sr-weights-info')?.textContent?.startsWith('building'));
  const png = await makePng(48, 40);
  await page.setInputFiles('#sr-file', { name: 'gradient.png', mimeType: 'image/png', buffer: png });
  await page.waitForFunction(() => document.getElementById('sr-input')?.dataset.width === '48');
  await page.selectOption('#sr-tile', '32');
  await page.fill('#sr-overlap', '8');
  // Long tasks on the page's main thread while the worker upscales (the page must stay responsive).
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
  });
  await page.click('#sr-run');
  await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('sr-status')?.dataset.state ?? ''));
  const srStatus = await page.textContent('#sr-status');
  check('upscale finished', (await page.getAttribute('#sr-status', 'data-state')) === 'done', srStatus ?? '');
  const out = await page.evaluate(() => {
    const c = document.getElementById('sr-output');
    const b = document.getElementById('sr-bicubic');
    const p = document.getElementById('sr-progress');
    return { w: c.width, h: c.height, bw: b.width, bh: b.height, value: p.value, max: p.max };
  });
  check('output canvas is 4× the input (192×160)', out.w === 192 && out.h === 160, `${out.w}×${out.h}`);
  check('bicubic canvas matches the output', out.bw === out.w && out.bh === out.h, `${out.bw}×${out.bh}`);
  check('progress bar reached the end of 4 tiles', out.max === 4 && out.value === 4, `${out.value}/${out.max}`);
  const longest = await page.evaluate(() => Math.max(0, ...window.__longTasks));
  check('the page stayed responsive during the upscale (no main-thread task > 250 ms)', longest <= 250, `longest ${longest.toFixed(0)} ms`);
  const madRandom = await page.evaluate(meanAbsDiff);
  check('random-weight output differs from bicubic', madRandom > 8, `mean |model − bicubic| ${madRandom.toFixed(1)} levels`);
  await page.fill('#sr-slider', '35');
  await page.locator('#sr').screenshot({ path: join(shotsDir, 'sr-random-weights.png') });

  // Cancel: a larger image in many tiles, cancelled after the first tile.
  await page.click('#sr-sample');
  await page.waitForFunction(() => document.getElementById('sr-input')?.dataset.width === '160');
  await page.selectOption('#sr-tile', '32');
  await page.click('#sr-run');
  await page.waitForFunction(() => Number(document.getElementById('sr-progress')?.value ?? 0) >= 1);
  await page.click('#sr-cancel');
  await page.waitForFunction(() => ['done', 'error', 'cancelled'].includes(document.getElementById('sr-status')?.dataset.state ?? ''));
  check('cancel stops the upscale', (await page.getAttribute('#sr-status', 'data-state')) === 'cancelled', (await page.textContent('#sr-status')) ?? '');

  // 4. NTIRE metrics at a small size.
  await page.selectOption('#sr-metrics-size', '32');
  await page.click('#sr-metrics-run');
  await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('sr-metrics-status')?.dataset.state ?? ''));
  const params = await page.textContent('td[data-meas="params"]');
  check('NTIRE metrics measured the IMDN baseline (893,936 parameters)', /893,936/.test(params ?? ''), params ?? (await page.textContent('#sr-metrics-status')) ?? '');
  await page.locator('#sr').screenshot({ path: join(shotsDir, 'sr-metrics.png') });
  log('super-resolution (random weights) done');

  // 5. Official weights, when the shared data is there.
  const data = process.env.LAB_DATA;
  const pth = data && join(data, 'weights', 'ntire2022', 'imdn_baseline.pth');
  const baby = data && join(data, 'set5', 'LR_x4', 'baby.bmp');
  if (pth && existsSync(pth) && existsSync(baby)) {
    await page.setInputFiles('#sr-weights', pth);
    await page.waitForFunction(() => ['official', 'error'].includes(document.getElementById('sr-weights-info')?.dataset.state ?? ''));
    check('official imdn_baseline.pth loaded', (await page.getAttribute('#sr-weights-info', 'data-state')) === 'official', (await page.textContent('#sr-weights-info')) ?? '');
    await page.setInputFiles('#sr-file', { name: 'baby.bmp', mimeType: 'image/bmp', buffer: await readFile(baby) });
    await page.waitForFunction(() => document.getElementById('sr-input')?.dataset.width === '128');
    await page.selectOption('#sr-tile', '64');
    await page.fill('#sr-overlap', '16');
    await page.click('#sr-run');
    await page.waitForFunction(() => ['done', 'error', 'cancelled'].includes(document.getElementById('sr-status')?.dataset.state ?? ''));
    check('official-weight upscale finished', (await page.getAttribute('#sr-status', 'data-state')) === 'done', (await page.textContent('#sr-status')) ?? '');
    const w = await page.evaluate(() => document.getElementById('sr-output').width);
    check('Set5 baby ×4 is 512 wide', w === 512, String(w));
    const mad = await page.evaluate(meanAbsDiff);
    check('official weights give a sensible image (0 < mean |IMDN − bicubic| < 8 levels)', mad > 0.1 && mad < 8, mad.toFixed(2));
    await page.fill('#sr-slider', '50');
    await page.locator('#sr').screenshot({ path: join(shotsDir, 'sr-official-weights.png') });
    await page.selectOption('#sr-zoom', '2');
    await page.evaluate(() => {
      const s = document.getElementById('sr-scroll');
      s.scrollTo((s.scrollWidth - s.clientWidth) / 2, (s.scrollHeight - s.clientHeight) / 2);
    });
    await page.locator('#sr .compare-wrap').screenshot({ path: join(shotsDir, 'sr-official-weights-zoom2.png') });
    await page.selectOption('#sr-zoom', 'fit');
  } else {
    log('LAB_DATA not set (or lacks weights/ntire2022/imdn_baseline.pth): official-weight check skipped');
  }

  await page.screenshot({ path: join(shotsDir, 'page.png'), fullPage: true });
  const errors = pageLog.filter((l) => l.startsWith('[pageerror]') || l.startsWith('[error]'));
  check('no page errors', errors.length === 0, errors.slice(0, 3).join(' | '));
}

let code = 0;
try {
  await main();
  console.log(`\ne2e: ${checks.length} passed, 0 failed (${elapsed()}); screenshots in ${shotsDir}`);
} catch (e) {
  code = 1;
  console.error(`\ne2e FAILED after ${elapsed()}: ${e instanceof Error ? e.message : e}`);
  printPageLog();
  console.log(`${checks.filter((c) => c.ok).length} passed, 1 failed`);
} finally {
  await cleanup();
  clearTimeout(watchdog);
}
process.exit(code);
