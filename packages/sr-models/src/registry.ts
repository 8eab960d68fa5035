/**
 * The registry of super-resolution models: a static object built from explicit imports.
 * @packageDocumentation
 */
import { UnknownNameError } from '@lab/tensor';
import type { PixelRange } from './models/common/pixel-range';
import type { SrModel } from './models/common/sr-network';
import { IMDN_DEFAULTS, IMDN_SCALES, Imdn, type ImdnOptions } from './models/imdn/imdn';
import { IMDN_NTIRE2022_DEFAULTS, ImdnNtire2022, type ImdnNtire2022Options } from './models/imdn-ntire2022/imdn-ntire2022';
import { RFDN_DEFAULTS, Rfdn, type RfdnOptions } from './models/rfdn/rfdn';
import { RLFN_DEFAULTS, Rlfn, type RlfnOptions } from './models/rlfn/rlfn';

/** The paper that introduced a model. @category Models */
export interface ModelPaper {
  /** Title as published. */
  readonly title: string;
  /** arXiv identifier. */
  readonly arxiv: string;
  /** Venue and year. */
  readonly venue: string;
}

/** Where a model's official weights come from and how their files are named. @category Models */
export interface ModelCheckpoint {
  /** GitHub repository (`owner/name`). */
  readonly repository: string;
  /** Path of the weight file inside the repository, per upscaling factor. */
  readonly files: Readonly<Record<number, string>>;
  /** Key layout, as `loadOfficialWeights` handles it: plain keys or a `module.` prefix. */
  readonly keys: 'plain' | 'module-prefix';
  /** File format of `torch.save`: the zip container or the legacy (pre-1.6) layout. */
  readonly format: 'zip' | 'legacy';
  /** Licence of the weights (`'none'` when the repository has no licence file). */
  readonly licence: string;
}

/**
 * One registry entry: how to build a model, its defaults, the paper, the checkpoint naming and
 * its pixel range and scales.
 * @category Models
 */
export interface ModelEntry<O extends object, M extends SrModel> {
  /** Registry key (lowercase kebab-case). */
  readonly name: string;
  /** Human-readable name for tables. */
  readonly label: string;
  /** Builds a new model with random weights; the caller disposes it. */
  readonly factory: (options?: O) => M;
  /** The factory's defaults (also the reference configuration of the checkpoint). */
  readonly defaults: Readonly<Record<string, string | number>>;
  /** The paper. */
  readonly paper: ModelPaper;
  /** The reference implementation the module mirrors (`owner/repo` `path`). */
  readonly reference: string;
  /** The official weights. */
  readonly checkpoint: ModelCheckpoint;
  /**
   * Range the reference code feeds the network (its native range). Models built with the default
   * `range: '0-1'` take and return [0, 1] images regardless.
   */
  readonly inputRange: PixelRange;
  /** Default upscaling factor. */
  readonly scale: number;
  /** Upscaling factors with released weights. */
  readonly scales: readonly number[];
}

/** Keeps an entry's option and model types when it is written as an object literal. */
function entry<O extends object, M extends SrModel>(e: ModelEntry<O, M>): Readonly<ModelEntry<O, M>> {
  return Object.freeze(e);
}

const NTIRE_REPO = 'ofsoundof/NTIRE2022_ESR';

/**
 * Every super-resolution model of the package, by registry key. Build one with
 * {@link createModel} (or the entry's `factory`) and load its weights with
 * {@link loadOfficialWeights}.
 * @example
 * ```ts
 * const e = models.rlfn;            // e.checkpoint.files[4] === 'model_zoo/team04_rlfn.pth'
 * const net = e.factory();          // takes and returns [0, 1] images
 * ```
 * @category Models
 */
export const models = Object.freeze({
  /** IMDN as the NTIRE 2022 ESR baseline ({@link ImdnNtire2022}), ×4, with the challenge's `imdn_baseline.pth`. */
  'imdn-ntire2022': entry<ImdnNtire2022Options, ImdnNtire2022>({
    name: 'imdn-ntire2022',
    label: 'IMDN (NTIRE 2022 baseline)',
    factory: (options) => new ImdnNtire2022(options),
    defaults: IMDN_NTIRE2022_DEFAULTS,
    paper: {
      title: 'Lightweight Image Super-Resolution with Information Multi-distillation Network',
      arxiv: '1909.11856',
      venue: 'ACM MM 2019',
    },
    reference: `${NTIRE_REPO} models/imdn_baseline.py`,
    checkpoint: { repository: NTIRE_REPO, files: { 4: 'model_zoo/imdn_baseline.pth' }, keys: 'plain', format: 'legacy', licence: 'MIT' },
    inputRange: '0-1',
    scale: 4,
    scales: [4],
  }),
  /** The original IMDN ({@link Imdn}) of ACM MM 2019, ×2, ×3 and ×4 weights. */
  imdn: entry<ImdnOptions, Imdn>({
    name: 'imdn',
    label: 'IMDN',
    factory: (options) => new Imdn(options),
    defaults: IMDN_DEFAULTS,
    paper: {
      title: 'Lightweight Image Super-Resolution with Information Multi-distillation Network',
      arxiv: '1909.11856',
      venue: 'ACM MM 2019',
    },
    reference: 'Zheng222/IMDN model/architecture.py',
    checkpoint: {
      repository: 'Zheng222/IMDN',
      files: { 2: 'checkpoints/IMDN_x2.pth', 3: 'checkpoints/IMDN_x3.pth', 4: 'checkpoints/IMDN_x4.pth' },
      keys: 'module-prefix',
      format: 'legacy',
      licence: 'none',
    },
    inputRange: '0-1',
    scale: 4,
    scales: IMDN_SCALES,
  }),
  /** RFDN ({@link Rfdn}), AIM 2020 winner, ×4, with the NTIRE 2022 ESR `rfdn_baseline.pth`. */
  rfdn: entry<RfdnOptions, Rfdn>({
    name: 'rfdn',
    label: 'RFDN (AIM 2020 winner)',
    factory: (options) => new Rfdn(options),
    defaults: RFDN_DEFAULTS,
    paper: { title: 'Residual Feature Distillation Network for Lightweight Image Super-Resolution', arxiv: '2009.11551', venue: 'ECCV Workshops 2020' },
    reference: `${NTIRE_REPO} models/rfdn_baseline/RFDN.py`,
    checkpoint: { repository: NTIRE_REPO, files: { 4: 'model_zoo/rfdn_baseline.pth' }, keys: 'plain', format: 'legacy', licence: 'MIT' },
    inputRange: '0-255',
    scale: 4,
    scales: [4],
  }),
  /** RLFN ({@link Rlfn}), NTIRE 2022 ESR winner (`RLFN_cut`), ×4. */
  rlfn: entry<RlfnOptions, Rlfn>({
    name: 'rlfn',
    label: 'RLFN (NTIRE 2022 ESR #1)',
    factory: (options) => new Rlfn(options),
    defaults: RLFN_DEFAULTS,
    paper: { title: 'Residual Local Feature Network for Efficient Super-Resolution', arxiv: '2205.07514', venue: 'CVPR Workshops 2022' },
    reference: `${NTIRE_REPO} models/team04_rlfn.py`,
    checkpoint: { repository: NTIRE_REPO, files: { 4: 'model_zoo/team04_rlfn.pth' }, keys: 'plain', format: 'zip', licence: 'MIT' },
    inputRange: '0-255',
    scale: 4,
    scales: [4],
  }),
} as const);

/** A registry key of {@link models}. @category Models */
export type ModelName = keyof typeof models;

/** The options type of the model registered as `K`. @category Models */
export type ModelOptionsOf<K extends ModelName> = NonNullable<Parameters<(typeof models)[K]['factory']>[0]>;

/** The class of the model registered as `K`. @category Models */
export type ModelOf<K extends ModelName> = ReturnType<(typeof models)[K]['factory']>;

/**
 * Builds the model registered under `name` with random weights.
 * @param name - a key of {@link models}
 * @param options - the model's options (`range`, `scale`, …); unknown keys are an error
 * @returns a new model in training mode; call `.eval()` for inference; the caller disposes it
 * @throws UnknownNameError listing the valid keys; InvalidValueError for a bad option
 * @example
 * ```ts
 * const net = createModel('imdn', { scale: 2 }).eval();
 * ```
 * @category Models
 */
export function createModel<K extends ModelName>(name: K, options?: ModelOptionsOf<K>): ModelOf<K>;
export function createModel(name: string, options?: object): SrModel;
export function createModel(name: string, options?: object): SrModel {
  if (typeof name !== 'string' || !Object.hasOwn(models, name)) {
    throw new UnknownNameError('model', String(name), Object.keys(models));
  }
  const e = models[name as ModelName] as ModelEntry<object, SrModel>;
  return e.factory(options);
}
