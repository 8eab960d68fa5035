/**
 * Readers of the NIH ChestX-ray14 label and bounding-box files.
 * @packageDocumentation
 */
import { FormatError, InvalidValueError, checkOptions } from '@lab/tensor';
import type { LabeledBox } from '../analysis/boxes';
import { checkNumber, checkObject, show } from '../internal/checks';
import { parseCsv } from './csv';

/**
 * The 15 labels of the NIH ChestX-ray14 multi-label task (14 pathologies and "No Finding"), in
 * the class order of the reference code (imba-explain `nih_cls_name_to_ind`).
 * @category Data
 */
export const CHESTXRAY14_CLASSES: readonly string[] = Object.freeze([
  'Atelectasis',
  'Cardiomegaly',
  'Consolidation',
  'Edema',
  'Effusion',
  'Emphysema',
  'Fibrosis',
  'Hernia',
  'Infiltration',
  'Mass',
  'No Finding',
  'Nodule',
  'Pleural_Thickening',
  'Pneumonia',
  'Pneumothorax',
]);

/** Spellings of the box file that differ from the label file ("Infiltrate" for "Infiltration"). */
const BOX_ALIASES: Readonly<Record<string, string>> = Object.freeze({ Infiltrate: 'Infiltration' });

/** Options of the ChestX-ray14 readers. @category Data */
export interface ChestXray14Options {
  /** Class names in index order; a finding not in the list is a format error. @defaultValue {@link CHESTXRAY14_CLASSES} */
  classes?: readonly string[];
}

/** Options of {@link parseChestXray14Boxes}. @category Data */
export interface ChestXray14BoxesOptions extends ChestXray14Options {
  /** Factor applied to every coordinate, e.g. 224/1024 for images resized from the original 1024². @defaultValue 1 */
  scale?: number;
}

/** What {@link parseChestXray14Labels} returns. @category Data */
export interface ChestXray14Labels {
  /** Image file names ("Image Index"), in file order. */
  imageIds: string[];
  /** One 0/1 row of C labels per image. */
  labels: Uint8Array[];
  /** The class names, in index order. */
  classes: readonly string[];
}

function classIndex(fn: string, options: ChestXray14Options | undefined): { classes: readonly string[]; index: Map<string, number> } {
  checkObject(fn, 'options', options);
  const classes = options?.classes ?? CHESTXRAY14_CLASSES;
  if (!Array.isArray(classes) || classes.length === 0 || classes.some((c) => typeof c !== 'string' || c === '')) {
    throw new InvalidValueError(`${fn}: classes must be a non-empty array of names, got ${show(classes)}`);
  }
  return { classes, index: new Map(classes.map((c, i) => [c, i])) };
}

function column(fn: string, header: string[], name: string): number {
  const i = header.findIndex((h) => h.trim() === name);
  if (i < 0) throw new FormatError(`${fn}: the header must have a '${name}' column, got ${header.map((h) => `'${h}'`).join(', ')}`);
  return i;
}

/**
 * Reads the ChestX-ray14 label file (`Data_Entry_2017.csv`): one multi-hot row per image.
 *
 * The columns "Image Index" and "Finding Labels" are required (others are ignored); findings are
 * separated by `|`, and "No Finding" is a class of its own, as in the reference's 15-label task.
 * @param csv - the file's text
 * @param options - the class list
 * @returns image ids and labels in file order
 * @throws {@link "@lab/tensor"!FormatError | FormatError} for a missing column, a short row, an unknown finding or a repeated
 * image id, naming the line; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 1705.02315 (ChestX-ray8/14); imba-explain `NIHClassificationDataset`
 * @example
 * ```ts
 * const { imageIds, labels } = parseChestXray14Labels(await readFile('Data_Entry_2017.csv', 'utf8'));
 * const counts = classCounts(labels);
 * ```
 * @category Data
 */
export function parseChestXray14Labels(csv: string, options: ChestXray14Options = {}): ChestXray14Labels {
  const fn = 'parseChestXray14Labels';
  if (typeof csv !== 'string') throw new InvalidValueError(`${fn}: csv must be the file's text, got ${show(csv)}`);
  checkOptions(fn, options, ['classes']);
  const { classes, index } = classIndex(fn, options);
  const rows = parseCsv(fn, csv);
  if (rows.length === 0) throw new FormatError(`${fn}: the file is empty`);
  const header = rows[0].fields;
  const idCol = column(fn, header, 'Image Index');
  const labelCol = column(fn, header, 'Finding Labels');
  const imageIds: string[] = [];
  const labels: Uint8Array[] = [];
  const seen = new Set<string>();
  for (const { fields, line } of rows.slice(1)) {
    if (fields.length <= Math.max(idCol, labelCol)) throw new FormatError(`${fn}: line ${line} has ${fields.length} fields, need at least ${Math.max(idCol, labelCol) + 1}`);
    const id = fields[idCol].trim();
    if (id === '') throw new FormatError(`${fn}: line ${line} has an empty Image Index`);
    if (seen.has(id)) throw new FormatError(`${fn}: line ${line} repeats image '${id}'`);
    seen.add(id);
    const row = new Uint8Array(classes.length);
    for (const name of fields[labelCol].split('|').map((s) => s.trim())) {
      const c = index.get(name);
      if (c === undefined) throw new FormatError(`${fn}: line ${line} has unknown finding '${name}'; valid: ${classes.join(', ')}`);
      row[c] = 1;
    }
    imageIds.push(id);
    labels.push(row);
  }
  return { imageIds, labels, classes };
}

/**
 * Reads the ChestX-ray14 bounding-box file (`BBox_List_2017.csv`): the boxes of each image.
 *
 * Columns: "Image Index", "Finding Label", then x, y, w, h in pixels of the original 1024×1024
 * image (the header names them `Bbox [x,y,w,h]` across four columns; trailing empty columns are
 * ignored). The box file's "Infiltrate" is read as "Infiltration". Coordinates are multiplied by `scale`.
 * @param csv - the file's text
 * @param options - the class list and the coordinate scale
 * @returns the boxes of each image id (as {@link LabeledBox}, labels indexing `classes`)
 * @throws {@link "@lab/tensor"!FormatError | FormatError} for a missing column, a short row, an unknown finding or a
 * non-numeric or non-positive size, naming the line; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a bad option.
 * @see arXiv 1705.02315; imba-explain `NIHDetectionDataset`
 * @example
 * ```ts
 * const boxes = parseChestXray14Boxes(text, { scale: 224 / 1024 });
 * boxes.get('00013118_008.png'); // [{ x, y, width, height, label: 0 }]
 * ```
 * @category Data
 */
export function parseChestXray14Boxes(csv: string, options: ChestXray14BoxesOptions = {}): Map<string, LabeledBox[]> {
  const fn = 'parseChestXray14Boxes';
  if (typeof csv !== 'string') throw new InvalidValueError(`${fn}: csv must be the file's text, got ${show(csv)}`);
  checkOptions(fn, options, ['classes', 'scale']);
  const { classes, index } = classIndex(fn, options);
  const scale = checkNumber(fn, 'scale', options.scale ?? 1, 0, Infinity, { lo: true });
  const rows = parseCsv(fn, csv);
  if (rows.length === 0) throw new FormatError(`${fn}: the file is empty`);
  const header = rows[0].fields;
  const idCol = column(fn, header, 'Image Index');
  const labelCol = column(fn, header, 'Finding Label');
  const boxCol = header.findIndex((h) => h.trim().startsWith('Bbox'));
  if (boxCol < 0) throw new FormatError(`${fn}: the header must have a 'Bbox [x,y,w,h]' column, got ${header.map((h) => `'${h}'`).join(', ')}`);
  const out = new Map<string, LabeledBox[]>();
  for (const { fields, line } of rows.slice(1)) {
    if (fields.length < boxCol + 4) throw new FormatError(`${fn}: line ${line} has ${fields.length} fields, need at least ${boxCol + 4}`);
    const id = fields[idCol].trim();
    const raw = fields[labelCol].trim();
    const c = index.get(BOX_ALIASES[raw] ?? raw);
    if (c === undefined) throw new FormatError(`${fn}: line ${line} has unknown finding '${raw}'; valid: ${classes.join(', ')}`);
    const [x, y, w, h] = fields.slice(boxCol, boxCol + 4).map((f) => Number(f.trim()));
    if (![x, y, w, h].every(Number.isFinite) || fields.slice(boxCol, boxCol + 4).some((f) => f.trim() === '')) {
      throw new FormatError(`${fn}: line ${line} must have four numeric box fields x, y, w, h, got ${fields.slice(boxCol, boxCol + 4).join(', ')}`);
    }
    if (!(w > 0 && h > 0)) throw new FormatError(`${fn}: line ${line} must have a positive width and height, got ${w}×${h}`);
    const list = out.get(id) ?? [];
    list.push({ x: x * scale, y: y * scale, width: w * scale, height: h * scale, label: c });
    out.set(id, list);
  }
  return out;
}
