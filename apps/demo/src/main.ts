/**
 * The demo page: the AttributionLab playground and super-resolution. The page holds no tensors;
 * two lab workers (src/worker.ts) compute on the wasm backend.
 * @packageDocumentation
 */
import { LabWorker } from './client';
import { drawAgreement, drawRgb, drawRgba, drawSigned, sampleImage } from './draw';
import type { InitResult, LabRequest, LabResult, MethodInfo, ModelInfo, Rgba, Scores, SrMetricsResult } from './protocol';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
};

function setStatus(el: HTMLElement, state: 'idle' | 'loading' | 'running' | 'done' | 'error' | 'cancelled', text: string): void {
  el.dataset.state = state;
  el.textContent = text;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Counts with a decimal unit prefix, as `formatCount` of @lab/tensor prints them. */
function count(n: number, digits = 2): string {
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [scale, unit] of units) if (Math.abs(n) >= scale) return `${(n / scale).toFixed(digits)} ${unit}`;
  return String(Math.round(n));
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '—');

const labWorker = new LabWorker('attribution');
const srWorker = new LabWorker('super-resolution');

// -----------------------------------------------------------------------------------------------
// AttributionLab playground

const lab = {
  seed: $<HTMLInputElement>('lab-seed'),
  size: $<HTMLSelectElement>('lab-size'),
  cls: $<HTMLSelectElement>('lab-class'),
  indist: $<HTMLInputElement>('lab-indist'),
  random: $<HTMLButtonElement>('lab-random'),
  method: $<HTMLSelectElement>('lab-method'),
  optionWrap: $('lab-option-wrap'),
  option: $('lab-option'),
  baseline: $<HTMLSelectElement>('lab-baseline'),
  ref: $('lab-method-ref'),
  status: $('lab-status'),
  image: $<HTMLCanvasElement>('lab-image'),
  gt: $<HTMLCanvasElement>('lab-gt'),
  attr: $<HTMLCanvasElement>('lab-attr'),
  attrCaption: $('lab-attr-caption'),
  agree: $<HTMLCanvasElement>('lab-agree'),
  scores: $<HTMLTableElement>('lab-scores'),
  details: $('lab-details'),
};

let methodInfos: MethodInfo[] = [];
/** The option value chosen per method, kept when switching between methods. */
const optionValues = new Map<string, number | boolean | string>();

function currentMethod(): MethodInfo | undefined {
  return methodInfos.find((m) => m.name === lab.method.value);
}

function renderOption(): void {
  const m = currentMethod();
  lab.option.replaceChildren();
  lab.baseline.disabled = !m?.baselines;
  lab.ref.textContent = m ? `${m.signed ? 'signed' : 'unsigned'} · ${m.reference}` : '';
  const o = m?.option;
  lab.optionWrap.hidden = o === undefined;
  if (!m || !o) return;
  const value = optionValues.get(m.name) ?? o.default;
  lab.optionWrap.firstChild!.textContent = `${o.label} `;
  let input: HTMLInputElement | HTMLSelectElement;
  if (o.type === 'bool') {
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.checked = value === true;
    cb.addEventListener('change', () => {
      optionValues.set(m.name, cb.checked);
      scheduleLab();
    });
    input = cb;
  } else if (o.type === 'select') {
    const sel = document.createElement('select');
    for (const c of o.choices ?? []) sel.add(new Option(c, c, false, c === value));
    sel.addEventListener('change', () => {
      optionValues.set(m.name, sel.value);
      scheduleLab();
    });
    input = sel;
  } else {
    const num = document.createElement('input');
    num.type = 'number';
    num.min = String(o.min ?? 1);
    num.max = String(o.max ?? 1000);
    num.step = '1';
    num.value = String(value);
    num.addEventListener('input', () => {
      const v = Math.round(Number(num.value));
      if (!Number.isFinite(v) || v < (o.min ?? 1) || v > (o.max ?? Infinity)) return;
      optionValues.set(m.name, v);
      scheduleLab();
    });
    input = num;
  }
  input.id = 'lab-option-input';
  input.title = o.hint ?? '';
  lab.option.append(input);
  if (o.hint) {
    const hint = document.createElement('small');
    hint.textContent = ` ${o.hint}`;
    lab.option.append(hint);
  }
}

function labParams(): LabRequest | undefined {
  const m = currentMethod();
  if (!m) return undefined;
  const seed = Math.round(Number(lab.seed.value));
  if (!Number.isFinite(seed) || seed < 0) return undefined;
  return {
    kind: 'lab',
    seed,
    size: Number(lab.size.value),
    classIndex: Number(lab.cls.value || 0),
    inDistribution: lab.indist.checked,
    method: m.name,
    option: optionValues.get(m.name) ?? m.option?.default,
    baseline: lab.baseline.value as LabRequest['baseline'],
  };
}

let labTimer: ReturnType<typeof setTimeout> | undefined;
let labRunning = false;
let labDirty = false;
let labRuns = 0;

/** Runs the playground after input settles; one request in flight, the latest settings win. */
function scheduleLab(): void {
  clearTimeout(labTimer);
  labTimer = setTimeout(runLab, 150);
}

async function runLab(): Promise<void> {
  if (labRunning) {
    labDirty = true;
    return;
  }
  const params = labParams();
  if (!params) return;
  labRunning = true;
  labDirty = false;
  setStatus(lab.status, 'running', `Running ${params.method} on a ${params.size}×${params.size} image…`);
  try {
    const r = await labWorker.request(params);
    if (!labDirty) showLab(params, r);
  } catch (e) {
    if (!labDirty) setStatus(lab.status, 'error', `Error: ${describe(e)}`);
  } finally {
    labRunning = false;
    if (labDirty) void runLab();
  }
}

function showLab(params: LabRequest, r: LabResult): void {
  drawRgb(lab.image, r.width, r.height, r.image);
  drawSigned(lab.gt, r.width, r.height, r.groundTruth);
  const max = drawSigned(lab.attr, r.width, r.height, r.attribution);
  drawAgreement(lab.agree, r.width, r.height, r.attribution, r.groundTruth);
  lab.attrCaption.textContent = `${params.method} (max |a| ${max.toPrecision(3)})`;
  const scenario = r.scenario;
  for (const td of lab.scores.querySelectorAll<HTMLTableCellElement>('td[data-score]')) {
    const key = td.dataset.score as keyof Scores;
    const v = r.scores[key];
    td.textContent = fmt(v);
    td.dataset.value = Number.isFinite(v) ? String(v) : 'NaN';
    td.className = Number.isFinite(v) ? (v >= 0.8 ? 'pass' : 'fail') : 'na';
  }
  lab.scores.dataset.scenario = scenario;
  lab.scores.querySelector('tbody tr th')!.textContent = scenario === 'signed' ? 'positive features' : 'relevant features (|a|)';
  // Class names from the design.
  const names = r.unitNames.map((n, i) => `${i}: ${n}`);
  const current = [...lab.cls.options].map((o) => o.text);
  if (names.join() !== current.join()) {
    const sel = lab.cls.value;
    lab.cls.replaceChildren(...names.map((n, i) => new Option(n, String(i), false, String(i) === sel)));
  }
  const logits = r.logits.map((v) => v.toFixed(1)).join(', ');
  lab.details.textContent =
    `Design: ${r.design}. Label ${r.label} (${r.unitNames[r.label] ?? ''}); logits [${logits}]` +
    (r.delta !== undefined ? `; completeness gap δ = ${r.delta.toExponential(2)}` : '') +
    (scenario === 'unsigned' ? '; unsigned method: scored on all features by |a|' : '') +
    '.';
  labRuns++;
  lab.status.dataset.runs = String(labRuns);
  lab.status.dataset.tensors = String(r.tensors);
  setStatus(lab.status, 'done', `${params.method}: ${r.runtimeMs.toFixed(0)} ms in the worker (seed ${params.seed}, class ${params.classIndex}).`);
}

function setupLab(info: InitResult): void {
  methodInfos = info.methods;
  lab.method.replaceChildren(...info.methods.map((m) => new Option(m.name, m.name, false, m.name === 'integrated-gradients')));
  lab.cls.replaceChildren(...['red', 'green', 'blue'].map((n, i) => new Option(`${i}: ${n}`, String(i))));
  renderOption();
  for (const el of [lab.seed, lab.size, lab.cls, lab.indist, lab.baseline]) el.addEventListener('change', scheduleLab);
  lab.seed.addEventListener('input', scheduleLab);
  lab.method.addEventListener('change', () => {
    renderOption();
    scheduleLab();
  });
  lab.random.addEventListener('click', () => {
    lab.seed.value = String(Math.floor(Math.random() * 100000));
    scheduleLab();
  });
  void runLab();
}

// -----------------------------------------------------------------------------------------------
// Super-resolution

const sr = {
  drop: $('sr-drop'),
  file: $<HTMLInputElement>('sr-file'),
  sample: $<HTMLButtonElement>('sr-sample'),
  imageInfo: $('sr-image-info'),
  model: $<HTMLSelectElement>('sr-model'),
  scale: $<HTMLSelectElement>('sr-scale'),
  weights: $<HTMLInputElement>('sr-weights'),
  weightsInfo: $('sr-weights-info'),
  tile: $<HTMLSelectElement>('sr-tile'),
  overlap: $<HTMLInputElement>('sr-overlap'),
  run: $<HTMLButtonElement>('sr-run'),
  cancel: $<HTMLButtonElement>('sr-cancel'),
  progress: $<HTMLProgressElement>('sr-progress'),
  status: $('sr-status'),
  input: $<HTMLCanvasElement>('sr-input'),
  inputCaption: $('sr-input-caption'),
  compare: $('sr-compare'),
  bicubic: $<HTMLCanvasElement>('sr-bicubic'),
  output: $<HTMLCanvasElement>('sr-output'),
  divider: $('sr-divider'),
  tagLeft: $('sr-tag-left'),
  slider: $<HTMLInputElement>('sr-slider'),
  outputCaption: $('sr-output-caption'),
  zoom: $<HTMLSelectElement>('sr-zoom'),
  compareWrap: $('sr-compare-wrap'),
  download: $<HTMLAnchorElement>('sr-download'),
  metrics: $<HTMLTableElement>('sr-metrics'),
  measuredHead: $('sr-measured-head'),
  metricsSize: $<HTMLSelectElement>('sr-metrics-size'),
  metricsRun: $<HTMLButtonElement>('sr-metrics-run'),
  metricsStatus: $('sr-metrics-status'),
};

let modelInfos: ModelInfo[] = [];
let hasImage = false;
let modelReady = false;
let busy = false;
/** Serialises model switches and weight loads against each other. */
let modelChain: Promise<unknown> = Promise.resolve();

function updateButtons(): void {
  sr.run.disabled = busy || !hasImage || !modelReady;
  sr.metricsRun.disabled = busy || !modelReady;
}

function readFile(file: File): Promise<ArrayBuffer> {
  // FileReader rather than file.arrayBuffer(): the classic API, as the brief of the demo asks.
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error ?? new Error(`cannot read ${file.name}`));
    reader.readAsArrayBuffer(file);
  });
}

async function setImage(request: { bytes?: ArrayBuffer; pixels?: Rgba; name: string }): Promise<void> {
  setStatus(sr.status, 'loading', `Reading ${request.name}…`);
  try {
    const transfer = request.bytes ? [request.bytes] : request.pixels ? [request.pixels.data.buffer] : [];
    const r = await srWorker.request({ kind: 'sr-image', ...request }, { transfer });
    drawRgba(sr.input, r.image);
    clearOutput();
    sr.inputCaption.textContent = `input: ${r.name}, ${r.image.width}×${r.image.height}`;
    sr.imageInfo.textContent = `${r.name}: ${r.image.width}×${r.image.height} px, ${r.decoder}.`;
    sr.input.dataset.width = String(r.image.width);
    sr.input.dataset.height = String(r.image.height);
    hasImage = true;
    setStatus(sr.status, 'idle', 'Ready to upscale.');
  } catch (e) {
    setStatus(sr.status, 'error', `Cannot use ${request.name}: ${describe(e)}`);
  }
  updateButtons();
}

function currentModel(): ModelInfo | undefined {
  return modelInfos.find((m) => m.name === sr.model.value);
}

function fillScales(): void {
  const m = currentModel();
  if (!m) return;
  sr.scale.replaceChildren(...m.scales.map((s) => new Option(`×${s}`, String(s), false, s === m.scale)));
  sr.scale.disabled = m.scales.length < 2;
}

function showPublished(m: ModelInfo): void {
  const p = m.published;
  const set = (key: string, text: string): void => {
    sr.metrics.querySelector<HTMLTableCellElement>(`td[data-pub="${key}"]`)!.textContent = text;
  };
  set('params', p ? `${p.paramsM.toFixed(3)} M` : 'not in the NTIRE 2022 report');
  set('flops', p ? `${p.flopsG.toFixed(2)} G` : '—');
  set('flops256', p ? `${p.flopsG.toFixed(2)} G` : '—');
  set('activations', p ? `${p.activationsM.toFixed(2)} M` : '—');
  set('convs', p ? String(p.convLayers) : '—');
  set('memory', p ? `${p.memoryMiB.toFixed(2)} MiB` : '—');
  set('runtime', p ? `${p.runtimeMs.toFixed(2)} ms (GPU)` : '—');
  set('psnr', p ? `${p.psnrValid.toFixed(2)} / ${p.psnrTest.toFixed(2)} dB` : '—');
  for (const td of sr.metrics.querySelectorAll<HTMLTableCellElement>('td[data-meas]')) {
    if (td.dataset.meas !== 'psnr') td.textContent = '—';
  }
  sr.measuredHead.textContent = 'measured in this browser';
  setStatus(sr.metricsStatus, 'idle', '');
}

function showMeasured(r: SrMetricsResult): void {
  const set = (key: string, text: string): void => {
    sr.metrics.querySelector<HTMLTableCellElement>(`td[data-meas="${key}"]`)!.textContent = text;
  };
  const f = (256 / r.lrSize) ** 2;
  const approx = r.lrSize === 256 ? '' : '≈ ';
  sr.measuredHead.textContent = `measured in this browser at ${r.lrSize}×${r.lrSize} LR (wasm)`;
  set('params', `${count(r.params)} (${r.params.toLocaleString('en-US')})`);
  set('flops', `${count(r.flops)} at ${r.lrSize}²`);
  set('flops256', `${approx}${count(r.flops * f)}`);
  set('activations', `${count(r.activations)} at ${r.lrSize}² (${approx}${count(r.activations * f)} at 256²)`);
  set('convs', String(r.convLayers));
  set('memory', `${r.memoryMiB.toFixed(2)} MiB at ${r.lrSize}² (tfjs tensors)`);
  set('runtime', `${r.runtimeMs.toFixed(1)} ms at ${r.lrSize}² (${r.gflopsPerSecond.toFixed(1)} GFLOP/s)`);
}

async function switchModel(name: string, scale: number): Promise<void> {
  modelReady = false;
  updateButtons();
  sr.model.value = name;
  const m = currentModel()!;
  showPublished(m);
  sr.weightsInfo.textContent = 'building…';
  sr.weightsInfo.dataset.state = 'random';
  try {
    const r = await srWorker.request({ kind: 'sr-model', name, scale });
    sr.weightsInfo.textContent = `random weights (untrained), ${r.params.toLocaleString('en-US')} parameters: load the official checkpoint ${m.checkpoint.files[r.scale] ?? ''} (${m.checkpoint.repository}) for real results.`;
    sr.tagLeft.textContent = `${m.label.split(' (')[0]} (random)`;
    modelReady = true;
  } catch (e) {
    sr.weightsInfo.textContent = `cannot build ${name}: ${describe(e)}`;
  }
  updateButtons();
}

/** The registry model whose checkpoint file has this name, if any. */
function modelForCheckpoint(fileName: string): { name: string; scale: number } | undefined {
  for (const m of modelInfos) {
    for (const [scale, path] of Object.entries(m.checkpoint.files)) {
      if (path.split('/').pop() === fileName) return { name: m.name, scale: Number(scale) };
    }
  }
  return undefined;
}

async function loadWeights(file: File): Promise<void> {
  const match = modelForCheckpoint(file.name);
  if (match && (match.name !== sr.model.value || String(match.scale) !== sr.scale.value)) {
    sr.model.value = match.name;
    fillScales();
    sr.scale.value = String(match.scale);
    await switchModel(match.name, match.scale);
  }
  const m = currentModel()!;
  sr.weightsInfo.dataset.state = 'loading';
  sr.weightsInfo.textContent = `reading ${file.name} (${(file.size / 1e6).toFixed(2)} MB)…`;
  modelReady = false;
  updateButtons();
  try {
    const bytes = await readFile(file);
    const r = await srWorker.request({ kind: 'sr-weights', bytes, name: file.name }, { transfer: [bytes] });
    sr.weightsInfo.dataset.state = 'official';
    sr.weightsInfo.textContent = `official weights: ${r.name} (${r.tensors} tensors, loaded in ${r.ms.toFixed(0)} ms).`;
    sr.tagLeft.textContent = m.label.split(' (')[0];
  } catch (e) {
    sr.weightsInfo.dataset.state = 'error';
    sr.weightsInfo.textContent = `${file.name} does not fit ${m.name}: ${describe(e)} (the model keeps its previous weights).`;
  }
  modelReady = true;
  updateButtons();
}

/**
 * Fit: the largest whole magnification that fits the column (pixels stay sharp), or shrunk to the
 * column when the output is wider; 1:1, 2×, 4×: that magnification, scrollable.
 */
function applyZoom(): void {
  const w = sr.bicubic.width;
  let zoom = sr.zoom.value === 'fit' ? undefined : Number(sr.zoom.value);
  if (zoom === undefined) {
    const fit = Math.floor(sr.compareWrap.clientWidth / Math.max(1, w));
    if (fit >= 2) zoom = Math.min(fit, 8);
  }
  sr.compare.classList.toggle('zoomed', zoom !== undefined && zoom > 1);
  sr.compare.classList.toggle('scroll', sr.zoom.value !== 'fit');
  sr.bicubic.style.width = zoom === undefined ? '' : `${w * zoom}px`;
}

/** Hides a result that no longer belongs to the input. */
function clearOutput(): void {
  sr.compare.dataset.empty = 'true';
  sr.download.hidden = true;
  sr.outputCaption.textContent = 'output (model on the left of the line, MATLAB bicubic on the right)';
}

let slider = 50;
function updateSlider(): void {
  slider = Number(sr.slider.value);
  sr.output.style.clipPath = `inset(0 ${100 - slider}% 0 0)`;
  sr.divider.style.left = `${slider}%`;
}

async function runUpscale(): Promise<void> {
  const tile = sr.tile.value === '' ? undefined : Number(sr.tile.value);
  const overlap = Math.max(0, Math.round(Number(sr.overlap.value) || 0));
  busy = true;
  updateButtons();
  sr.cancel.disabled = false;
  sr.progress.value = 0;
  sr.progress.max = 1;
  setStatus(sr.status, 'running', 'Upscaling…');
  const t0 = performance.now();
  try {
    const r = await srWorker.request(
      { kind: 'sr-upscale', ...(tile !== undefined ? { tile } : {}), overlap },
      {
        onProgress: (done, total) => {
          sr.progress.max = total;
          sr.progress.value = done;
          setStatus(sr.status, 'running', `Upscaling: tile ${done} of ${total}…`);
        },
      },
    );
    drawRgba(sr.bicubic, r.bicubic);
    drawRgba(sr.output, r.sr);
    sr.compare.dataset.empty = 'false';
    sr.status.dataset.tensors = String(r.tensors);
    applyZoom();
    sr.output.dataset.width = String(r.sr.width);
    sr.output.dataset.height = String(r.sr.height);
    sr.outputCaption.textContent = `output ${r.sr.width}×${r.sr.height}: model on the left of the line, MATLAB bicubic on the right`;
    updateSlider();
    sr.output.toBlob((blob) => {
      if (!blob) return;
      if (sr.download.href) URL.revokeObjectURL(sr.download.href);
      sr.download.href = URL.createObjectURL(blob);
      sr.download.hidden = false;
    }, 'image/png');
    setStatus(sr.status, 'done', `Done: ${r.tiles} tile${r.tiles === 1 ? '' : 's'}, ${r.ms.toFixed(0)} ms in the worker (${(performance.now() - t0).toFixed(0)} ms with transfer).`);
  } catch (e) {
    const cancelled = e instanceof Error && e.name === 'AbortError';
    setStatus(sr.status, cancelled ? 'cancelled' : 'error', cancelled ? 'Cancelled.' : `Error: ${describe(e)}`);
  } finally {
    busy = false;
    sr.cancel.disabled = true;
    updateButtons();
  }
}

async function runMetrics(): Promise<void> {
  const lrSize = Number(sr.metricsSize.value);
  busy = true;
  updateButtons();
  setStatus(sr.metricsStatus, 'running', `Measuring at ${lrSize}×${lrSize}…`);
  try {
    const r = await srWorker.request({ kind: 'sr-metrics', lrSize });
    showMeasured(r);
    setStatus(sr.metricsStatus, 'done', `Measured in ${(r.ms / 1000).toFixed(1)} s.`);
  } catch (e) {
    setStatus(sr.metricsStatus, 'error', `Error: ${describe(e)}`);
  } finally {
    busy = false;
    updateButtons();
  }
}

function setupSr(info: InitResult): void {
  modelInfos = info.models;
  sr.model.replaceChildren(...info.models.map((m) => new Option(m.label, m.name, false, m.name === 'imdn-ntire2022')));
  fillScales();
  sr.model.addEventListener('change', () => {
    fillScales();
    modelChain = modelChain.then(() => switchModel(sr.model.value, Number(sr.scale.value)));
  });
  sr.scale.addEventListener('change', () => {
    modelChain = modelChain.then(() => switchModel(sr.model.value, Number(sr.scale.value)));
  });
  sr.weights.addEventListener('change', () => {
    const file = sr.weights.files?.[0];
    if (file) modelChain = modelChain.then(() => loadWeights(file));
    sr.weights.value = '';
  });
  const useFile = (file: File | undefined): void => {
    if (!file) return;
    void readFile(file).then(
      (bytes) => setImage({ bytes, name: file.name }),
      (e) => setStatus(sr.status, 'error', describe(e)),
    );
  };
  sr.file.addEventListener('change', () => {
    useFile(sr.file.files?.[0]);
    sr.file.value = '';
  });
  sr.drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    sr.drop.classList.add('over');
  });
  sr.drop.addEventListener('dragleave', () => sr.drop.classList.remove('over'));
  sr.drop.addEventListener('drop', (e) => {
    e.preventDefault();
    sr.drop.classList.remove('over');
    const file = e.dataTransfer?.files?.[0];
    if (file?.name.endsWith('.pth')) modelChain = modelChain.then(() => loadWeights(file));
    else useFile(file);
  });
  sr.sample.addEventListener('click', () => void setImage({ pixels: sampleImage(), name: 'sample image' }));
  sr.run.addEventListener('click', () => void runUpscale());
  sr.cancel.addEventListener('click', () => {
    sr.cancel.disabled = true;
    void srWorker.request({ kind: 'cancel' });
  });
  sr.slider.addEventListener('input', updateSlider);
  sr.zoom.addEventListener('change', applyZoom);
  window.addEventListener('resize', () => {
    if (sr.compare.dataset.empty === 'false') applyZoom();
  });
  sr.metricsRun.addEventListener('click', () => void runMetrics());
  updateSlider();
  modelChain = modelChain.then(() => switchModel(sr.model.value, Number(sr.scale.value)));
}

// -----------------------------------------------------------------------------------------------

async function start(): Promise<void> {
  const backend = $('backend');
  try {
    const [labInfo, srInfo] = await Promise.all([labWorker.request({ kind: 'init' }), srWorker.request({ kind: 'init' })]);
    const i = labInfo;
    backend.dataset.backend = i.backend;
    backend.dataset.multiThread = String(i.multiThread);
    setStatus(
      backend,
      'done',
      `Backend: ${i.backend}${i.simd ? ' + SIMD' : ''}, ${i.multiThread ? `threaded binary (${i.threads} thread${i.threads === 1 ? '' : 's'} per worker)` : 'single-threaded binary'}; ` +
        `cross-origin isolated: ${i.crossOriginIsolated ? 'yes' : 'no (serve with COOP/COEP for threads)'}; 2 workers.`,
    );
    setupLab(labInfo);
    setupSr(srInfo);
  } catch (e) {
    setStatus(backend, 'error', `The wasm backend did not start: ${describe(e)}`);
  }
}

void start();
