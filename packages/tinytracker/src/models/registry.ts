/**
 * The registry of gaze models: a static object built from explicit imports.
 * @packageDocumentation
 */
import { UnknownNameError } from '@lab/tensor';
import { ITracker, type ITrackerOptions } from './itracker/itracker';
import { TINYTRACKER_DEFAULTS, TinyTracker, type TinyTrackerOptions } from './tinytracker/tinytracker';
import { TINYTRACKER_S_DEFAULTS, TinyTrackerS, type TinyTrackerSOptions } from './tinytracker-s/tinytracker-s';

/** The paper of a model. @category Models */
export interface ModelPaper {
  /** Title of the paper. */
  readonly title: string;
  /** arXiv identifier, or undefined when the paper has none. */
  readonly arxiv: string | undefined;
  /** Where the paper was published. */
  readonly venue: string;
}

/** One registry entry: factory, defaults, paper and reference implementation. @category Models */
export interface ModelEntry<O extends object, M> {
  /** Registry key (lowercase kebab-case). */
  readonly name: string;
  /** Human-readable name. */
  readonly label: string;
  /** Builds a new model with fresh weights; the caller disposes it. */
  readonly factory: (options?: O) => M;
  /** The factory's defaults. */
  readonly defaults: Readonly<Record<string, string | number | boolean>>;
  /** The paper that introduced the model. */
  readonly paper: ModelPaper;
  /** Reference implementation (`owner/repo path`). */
  readonly reference: string;
  /** Published parameter count and where it comes from. */
  readonly publishedParams: {
    /** The published parameter count. */
    readonly value: number;
    /** Where the count is published. */
    readonly source: string;
  };
}

function entry<O extends object, M>(e: ModelEntry<O, M>): Readonly<ModelEntry<O, M>> {
  return Object.freeze(e);
}

/**
 * The gaze models of the package by key: `tinytracker`, `tinytracker-s`, `itracker`.
 * @example
 * ```ts
 * const net = models.tinytracker.factory({ inputSize: 128, faceGrid: true });
 * ```
 * @category Models
 */
export const models = Object.freeze({
  /** The {@link TinyTracker} model. */
  tinytracker: entry<TinyTrackerOptions, TinyTracker>({
    name: 'tinytracker',
    label: 'TinyTracker',
    factory: (options) => new TinyTracker(options),
    defaults: TINYTRACKER_DEFAULTS,
    paper: { title: 'TinyTracker: Ultra-Fast and Ultra-Low-Power Edge Vision In-Sensor for Gaze Estimation', arxiv: '2307.07813', venue: 'IEEE SENSORS 2023' },
    reference: 'pbonazzi/tinytracker tinytracker/src/TinyTrackerTF.py',
    publishedParams: { value: 455000, source: 'pbonazzi/tinytracker README (112×112)' },
  }),
  /** The {@link TinyTrackerS} model. */
  'tinytracker-s': entry<TinyTrackerSOptions, TinyTrackerS>({
    name: 'tinytracker-s',
    label: 'TinyTrackerS',
    factory: (options) => new TinyTrackerS(options),
    defaults: TINYTRACKER_S_DEFAULTS,
    paper: { title: 'Gaze Estimation on Spresense', arxiv: '2308.12313', venue: 'Sony Challenge 2023' },
    reference: 'pbonazzi/tinytracker tinytracker/src/TinyTrackerS.py',
    publishedParams: { value: 85800, source: 'pbonazzi/tinytracker README (96×96)' },
  }),
  /** The {@link ITracker} model. */
  itracker: entry<ITrackerOptions, ITracker>({
    name: 'itracker',
    label: 'iTracker',
    factory: (options) => new ITracker(options),
    defaults: {},
    paper: { title: 'Eye Tracking for Everyone', arxiv: '1606.05814', venue: 'CVPR 2016' },
    reference: 'CSAILVision/GazeCapture pytorch/ITrackerModel.py',
    publishedParams: { value: 6286274, source: 'layer list of Krafka et al. (spec §6)' },
  }),
});

/** Key of {@link models}. @category Models */
export type ModelName = keyof typeof models;

/**
 * The registry entry named `name`.
 * @param name - a key of {@link models}
 * @returns the entry
 * @throws {@link "@lab/tensor"!UnknownNameError | UnknownNameError} listing the valid keys
 * @example
 * ```ts
 * const net = findModel('tinytracker-s').factory();
 * ```
 * @category Models
 */
export function findModel<N extends ModelName>(name: N): (typeof models)[N];
export function findModel(name: string): (typeof models)[ModelName];
export function findModel(name: string): (typeof models)[ModelName] {
  if (!Object.hasOwn(models, name)) throw new UnknownNameError('gaze model', name, Object.keys(models));
  return models[name as ModelName];
}
