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
import { GRL_VARIANTS, Grl, type GrlOptions } from './models/grl/grl';
import { CIAOSR_DEFAULTS, CiaoSr, type CiaoSrOptions } from './models/ciaosr/ciaosr';
import { Datsr, type DatsrOptions } from './models/datsr/datsr';
import { DATSR_DEFAULTS } from './models/datsr/restoration-net';

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
  /**
   * Key layout: plain keys or a `module.` prefix (`loadOfficialWeights`), or a PyTorch Lightning
   * checkpoint whose `state_dict` holds the network under a prefix such as `model.` beside
   * training state and size-dependent buffers (`loadGrlCheckpoint`), or mmediting's `generator.`
   * prefix (CiaoSR: `loadOfficialWeights(net, bytes, { stripPrefix: 'generator.' })`).
   */
  readonly keys: 'plain' | 'module-prefix' | 'lightning' | 'generator-prefix';
  /** File format of `torch.save`: the zip container or the legacy (pre-1.6) layout. */
  readonly format: 'zip' | 'legacy';
  /** Licence of the weights (`'none'` when the repository has no licence file). */
  readonly licence: string;
  /**
   * Release tag whose assets `files` names; absent when `files` are paths in the repository tree,
   * or when they are release assets whose tag is not recorded (CiaoSR: see the entry).
   */
  readonly release?: string;
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
  readonly defaults: Readonly<Record<string, string | number | boolean | readonly number[]>>;
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
  /** Upscaling factors with released weights (empty when no weights are released for the entry). */
  readonly scales: readonly number[];
  /**
   * Cost class: true for the NTIRE 2022 efficient CNNs, cheap enough to count at the challenge's
   * 256×256 LR input and time in the default bench run; false for the transformers and implicit
   * models (GRL, CiaoSR), which the bench measures only on request and at a smaller LR size.
   */
  readonly efficient: boolean;
}

/** Keeps an entry's option and model types when it is written as an object literal. */
function entry<O extends object, M extends SrModel>(e: ModelEntry<O, M>): Readonly<ModelEntry<O, M>> {
  return Object.freeze(e);
}

const NTIRE_REPO = 'ofsoundof/NTIRE2022_ESR';

const GRL_REPO = 'ofsoundof/GRL-Image-Restoration';

const GRL_PAPER: ModelPaper = {
  title: 'Efficient and Explicit Modelling of Image Hierarchies for Image Restoration',
  arxiv: '2303.00748',
  venue: 'CVPR 2023',
};

const CIAOSR_REPO = 'caojiezhang/CiaoSR';

const CIAOSR_PAPER: ModelPaper = {
  title: 'CiaoSR: Continuous Implicit Attention-in-Attention Network for Arbitrary-Scale Image Super-Resolution',
  arxiv: '2212.04362',
  venue: 'CVPR 2023',
};

/**
 * The GRL SR weights: release v1.0.0 assets `sr_grl_<size>_c3x<scale>.ckpt` (named in
 * `scripts/grl/grl_test.md`; the tiny ×3/×4 URLs are also in chaiNNer-org/spandrel's tests).
 */
function grlCheckpoint(size: 'tiny' | 'small' | 'base'): ModelCheckpoint {
  const files: Record<number, string> = {};
  for (const s of [2, 3, 4]) files[s] = `sr_grl_${size}_c3x${s}.ckpt`;
  return { repository: GRL_REPO, release: 'v1.0.0', files, keys: 'lightning', format: 'zip', licence: 'MIT' };
}

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
    efficient: true,
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
    efficient: true,
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
    efficient: true,
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
    efficient: true,
  }),
  /** GRL-Tiny ({@link Grl}, {@link GRL_VARIANTS}.tiny), ×2, ×3 and ×4 SR weights. */
  'grl-tiny': entry<GrlOptions, Grl>({
    name: 'grl-tiny',
    label: 'GRL-T',
    factory: (options) => new Grl({ ...GRL_VARIANTS.tiny, ...options }),
    defaults: GRL_VARIANTS.tiny,
    paper: GRL_PAPER,
    reference: `${GRL_REPO} models/networks/grl.py`,
    checkpoint: grlCheckpoint('tiny'),
    inputRange: '0-1',
    scale: 4,
    scales: [2, 3, 4],
    efficient: false,
  }),
  /** GRL-Small ({@link Grl}, {@link GRL_VARIANTS}.small), ×2, ×3 and ×4 SR weights. */
  'grl-small': entry<GrlOptions, Grl>({
    name: 'grl-small',
    label: 'GRL-S',
    factory: (options) => new Grl({ ...GRL_VARIANTS.small, ...options }),
    defaults: GRL_VARIANTS.small,
    paper: GRL_PAPER,
    reference: `${GRL_REPO} models/networks/grl.py`,
    checkpoint: grlCheckpoint('small'),
    inputRange: '0-1',
    scale: 4,
    scales: [2, 3, 4],
    efficient: false,
  }),
  /** GRL-Base ({@link Grl}, {@link GRL_VARIANTS}.base, with CAB and anchor down-factor 2), ×2, ×3 and ×4 SR weights. */
  'grl-base': entry<GrlOptions, Grl>({
    name: 'grl-base',
    label: 'GRL-B',
    factory: (options) => new Grl({ ...GRL_VARIANTS.base, ...options }),
    defaults: GRL_VARIANTS.base,
    paper: GRL_PAPER,
    reference: `${GRL_REPO} models/networks/grl.py`,
    checkpoint: grlCheckpoint('base'),
    inputRange: '0-1',
    scale: 4,
    scales: [2, 3, 4],
    efficient: false,
  }),
  /**
   * CiaoSR with the RDN encoder ({@link CiaoSr}), arbitrary scale (`scale` is any real > 0; the
   * default ×4). The one released checkpoint `rdn-ciaosr.pth` serves every factor; `scales` lists
   * the ×2–×4 range it was trained on (the paper also evaluates it at ×6–×12). The file is an
   * asset of the repository's GitHub releases (tag not recorded); its keys are expected to carry
   * mmediting's `generator.` prefix (load with `stripPrefix: 'generator.'`) and its container
   * format was not checked (the file was not available).
   */
  ciaosr: entry<CiaoSrOptions, CiaoSr>({
    name: 'ciaosr',
    label: 'CiaoSR (RDN)',
    factory: (options) => new CiaoSr({ ...options }),
    defaults: CIAOSR_DEFAULTS,
    paper: CIAOSR_PAPER,
    reference: `${CIAOSR_REPO} mmedited/models/backbones/sr_backbones/ciaosr_net.py`,
    checkpoint: {
      repository: CIAOSR_REPO,
      files: { 2: 'rdn-ciaosr.pth', 3: 'rdn-ciaosr.pth', 4: 'rdn-ciaosr.pth' },
      keys: 'generator-prefix',
      format: 'zip',
      licence: 'CC-BY-NC-4.0',
    },
    inputRange: '0-1',
    scale: 4,
    scales: [2, 3, 4],
    efficient: false,
  }),
  /**
   * CiaoSR with the EDSR-baseline encoder ({@link CiaoSr}, `encoder: 'edsr-baseline'`), arbitrary
   * scale. The repository ships its config but no weights: `scales` and `checkpoint.files` are empty.
   */
  'ciaosr-edsr': entry<CiaoSrOptions, CiaoSr>({
    name: 'ciaosr-edsr',
    label: 'CiaoSR (EDSR-baseline)',
    factory: (options) => new CiaoSr({ encoder: 'edsr-baseline', ...options }),
    defaults: { ...CIAOSR_DEFAULTS, encoder: 'edsr-baseline' },
    paper: CIAOSR_PAPER,
    reference: `${CIAOSR_REPO} mmedited/models/backbones/sr_backbones/ciaosr_net.py`,
    checkpoint: { repository: CIAOSR_REPO, files: {}, keys: 'generator-prefix', format: 'zip', licence: 'CC-BY-NC-4.0' },
    inputRange: '0-1',
    scale: 4,
    scales: [],
    efficient: false,
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

/**
 * Where the weights of a reference-based model come from: one file per part of the network.
 * @category Models
 */
export interface ReferenceModelCheckpoint {
  /** GitHub repository (`owner/name`). */
  readonly repository: string;
  /** Release assets of the repository by part (`netG`, `netGGan`, `netExtractor`); the release tag is not recorded. */
  readonly files: Readonly<Record<string, string>>;
  /** Pretrained weights the model takes from elsewhere (DATSR: torchvision's VGG19 `features`). */
  readonly external: string;
  /** Licence of the weights. */
  readonly licence: string;
}

/**
 * One entry of {@link referenceModels}: a reference-based SR model, `upscale(lr, ref)` with two
 * inputs, so not an {@link SrModel} and not in {@link models}.
 * @category Models
 */
export interface ReferenceModelEntry<O extends object, M> {
  /** Registry key (lowercase kebab-case). */
  readonly name: string;
  /** Human-readable name for tables. */
  readonly label: string;
  /** Builds a new model with random weights; the caller disposes it. */
  readonly factory: (options?: O) => M;
  /** The factory's defaults (the configuration of the checkpoint). */
  readonly defaults: Readonly<Record<string, string | number | boolean | readonly number[]>>;
  /** The paper. */
  readonly paper: ModelPaper;
  /** The reference implementation the module mirrors (`owner/repo` `path`). */
  readonly reference: string;
  /** The official weights. */
  readonly checkpoint: ReferenceModelCheckpoint;
  /** Range of the LR and reference images. */
  readonly inputRange: PixelRange;
  /** Upscaling factor (fixed by the architecture). */
  readonly scale: number;
  /** Cost class, as {@link ModelEntry.efficient}. */
  readonly efficient: boolean;
}

const DATSR_REPO = 'caojiezhang/DATSR';

/**
 * The reference-based super-resolution models (two inputs: the LR image and a high-resolution
 * reference), by registry key. Build one with {@link createReferenceModel}.
 * @example
 * ```ts
 * const net = createReferenceModel('datsr').eval();
 * const sr = net.upscale(lr, ref);   // [1, 4h, 4w, 3]
 * ```
 * @category Models
 */
export const referenceModels = Object.freeze({
  /**
   * DATSR ({@link Datsr}), ×4. `restoration_mse.pth` and `restoration_gan.pth` hold the same
   * restoration network (`netG`) trained with different losses; `feature_extraction.pth` the
   * texture encoder (`netExtractor`); the correspondence uses torchvision's VGG19 (`netMap`).
   */
  datsr: Object.freeze<ReferenceModelEntry<DatsrOptions, Datsr>>({
    name: 'datsr',
    label: 'DATSR',
    factory: (options) => new Datsr(options),
    defaults: DATSR_DEFAULTS,
    paper: { title: 'Reference-based Image Super-Resolution with Deformable Attention Transformer', arxiv: '2207.11938', venue: 'ECCV 2022' },
    reference: `${DATSR_REPO} datsr/models/archs/swin_unetv3_ref_restoration_arch.py`,
    checkpoint: {
      repository: DATSR_REPO,
      files: { netG: 'restoration_mse.pth', netGGan: 'restoration_gan.pth', netExtractor: 'feature_extraction.pth' },
      external: 'torchvision VGG19 (ImageNet) features, conv1_1 to relu3_1',
      licence: 'CC-BY-NC-4.0',
    },
    inputRange: '0-1',
    scale: 4,
    efficient: false,
  }),
} as const);

/** A registry key of {@link referenceModels}. @category Models */
export type ReferenceModelName = keyof typeof referenceModels;

/**
 * Builds the reference-based model registered under `name` with random weights.
 * @param name - a key of {@link referenceModels}
 * @param options - the model's options; unknown keys are an error
 * @returns a new model in training mode; call `.eval()` for inference; the caller disposes it
 * @throws UnknownNameError listing the valid keys; InvalidValueError for a bad option
 * @example
 * ```ts
 * const net = createReferenceModel('datsr').eval();
 * ```
 * @category Models
 */
export function createReferenceModel(name: ReferenceModelName, options?: DatsrOptions): Datsr;
export function createReferenceModel(name: string, options?: object): Datsr;
export function createReferenceModel(name: string, options?: object): Datsr {
  if (typeof name !== 'string' || !Object.hasOwn(referenceModels, name)) {
    throw new UnknownNameError('reference model', String(name), Object.keys(referenceModels));
  }
  return referenceModels[name as ReferenceModelName].factory(options as DatsrOptions);
}
