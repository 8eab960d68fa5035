/**
 * A serialisable description of a pruned model: which group channels it kept, per group.
 * @packageDocumentation
 */
import { InvalidValueError, checkOptions } from '@lab/tensor';
import type { ModelCost, RemovedChannels } from '../graph/dependency-graph';
import type { PrunePlan } from '../pruners/prune';

/** Value of {@link PruningRecord.format}. @category Records */
export const PRUNING_RECORD_FORMAT = 'lab-pruning-record';

/** Value of {@link PruningRecord.version} written by this package (the only one it reads). @category Records */
export const PRUNING_RECORD_VERSION = 1;

/** One dependency group of a {@link PruningRecord}. @category Records */
export interface PruningRecordGroup {
  /** Name of the group's first producer ({@link PruningGroup.root}); checked against the fresh model's graph. */
  readonly root: string;
  /** Group channels before pruning ({@link PruningGroup.width}). */
  readonly width: number;
  /** Group channel indices the pruned model keeps, ascending (all of them for an unpruned group). */
  readonly kept: readonly number[];
}

/**
 * What {@link applyPruningRecord} needs to rebuild a pruned model from a fresh model of its base
 * architecture: the base's identity, the traced input shape, and per dependency group the kept
 * group channels. Plain JSON data (no tensors), so it can be stored beside the weights —
 * {@link savePruned} writes it into the safetensors metadata.
 * @category Records
 */
export interface PruningRecord {
  /** Always {@link PRUNING_RECORD_FORMAT}. */
  readonly format: typeof PRUNING_RECORD_FORMAT;
  /** Always {@link PRUNING_RECORD_VERSION}. */
  readonly version: typeof PRUNING_RECORD_VERSION;
  /** Identity of the base architecture chosen by the caller, e.g. a registry key (`'imdn-ntire2022'`). */
  readonly baseModel: string;
  /** Class name of the traced model (`'ImdnNtire2022'`); a fresh model of another class is refused. */
  readonly modelClass: string;
  /** Input shape of the trace without the batch axis (NHWC), reused to trace the fresh model. */
  readonly inputShape: readonly number[];
  /** The `minChannels` the plan was pruned with. */
  readonly minChannels: number;
  /** One entry per dependency group, in graph order. */
  readonly groups: readonly PruningRecordGroup[];
  /** Parameters and MACs (at `inputShape`) of the base model, from its dependency graph. */
  readonly baseCost: ModelCost;
  /** Parameters and MACs (at `inputShape`) of the pruned model; checked when the record is applied. */
  readonly prunedCost: ModelCost;
  /** Free-form notes (criterion, keep ratio, …); not interpreted. */
  readonly notes: Readonly<Record<string, string | number>>;
}

/** Options of {@link createPruningRecord}. @category Records */
export interface CreatePruningRecordOptions {
  /** Identity of the base architecture (see {@link PruningRecord.baseModel}); required, non-empty. */
  baseModel: string;
  /** Fewest channels a layer side keeps, as given to {@link prune}. @defaultValue 1 */
  minChannels?: number;
  /** Free-form notes stored in {@link PruningRecord.notes}. @defaultValue {} */
  notes?: Readonly<Record<string, string | number>>;
}

/**
 * Describes a pruning plan as a {@link PruningRecord}: per dependency group of the plan's graph,
 * the group channels that stay (the complement of `plan.removed`), plus the base identity, the
 * traced input shape and the costs before and after, so the same pruned architecture can be
 * rebuilt later from a fresh base model by {@link applyPruningRecord}.
 * @param plan - a plan from {@link planPruning} (or written by hand) for the model to describe
 * @param options - see {@link CreatePruningRecordOptions}
 * @returns a frozen record (plain data, JSON-serialisable)
 * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for a malformed plan, a plan that would leave a layer below
 *   `minChannels`, an empty `baseModel`, a non-string/number note, or an unknown option
 * @example
 * ```ts
 * const plan = planPruning(graph, { keepRatio: 0.75, scores: await scoreGroups(graph, l1Importance()) });
 * const record = createPruningRecord(plan, { baseModel: 'imdn-ntire2022', notes: { criterion: 'l1' } });
 * JSON.stringify(record); // storable; applyPruningRecord(freshModel, record) rebuilds the architecture
 * ```
 * @category Records
 */
export function createPruningRecord(plan: PrunePlan, options: CreatePruningRecordOptions): PruningRecord {
  const fn = 'createPruningRecord';
  if (typeof plan !== 'object' || plan === null || !plan.graph) throw new InvalidValueError(`${fn}: plan must be a PrunePlan {graph, removed}`);
  if (typeof options !== 'object' || options === null) throw new InvalidValueError(`${fn}: options must be an object with baseModel`);
  checkOptions(fn, options, ['baseModel', 'minChannels', 'notes']);
  if (typeof options.baseModel !== 'string' || options.baseModel.length === 0) {
    throw new InvalidValueError(`${fn}: baseModel must be a non-empty string, got ${JSON.stringify(options.baseModel)}`);
  }
  const minChannels = options.minChannels ?? 1;
  if (!Number.isInteger(minChannels) || minChannels < 1) throw new InvalidValueError(`${fn}: minChannels must be a positive integer, got ${String(minChannels)}`);
  const notes = checkNotes(fn, options.notes ?? {});
  const graph = plan.graph;
  graph.keptChannels(plan.removed, minChannels); // validates the selection and the floor
  const groups = graph.groups.map((g, i) => {
    const gone = new Set(plan.removed[i]);
    const kept: number[] = [];
    for (let k = 0; k < g.width; k++) if (!gone.has(k)) kept.push(k);
    return Object.freeze({ root: g.root, width: g.width, kept: Object.freeze(kept) });
  });
  return Object.freeze({
    format: PRUNING_RECORD_FORMAT,
    version: PRUNING_RECORD_VERSION,
    baseModel: options.baseModel,
    modelClass: graph.model.constructor.name,
    inputShape: Object.freeze(graph.inputShape.slice()),
    minChannels,
    groups: Object.freeze(groups),
    baseCost: Object.freeze({ ...graph.baseline }),
    prunedCost: Object.freeze({ ...graph.cost(plan.removed) }),
    notes,
  });
}

function checkNotes(fn: string, notes: unknown): Readonly<Record<string, string | number>> {
  if (typeof notes !== 'object' || notes === null || Array.isArray(notes)) throw new InvalidValueError(`${fn}: notes must be an object of strings and numbers`);
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(notes)) {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v))) {
      throw new InvalidValueError(`${fn}: notes['${k}'] must be a string or a finite number, got ${v === null ? 'null' : typeof v}`);
    }
    out[k] = v;
  }
  return Object.freeze(out);
}

const isCost = (c: unknown): c is ModelCost =>
  typeof c === 'object' && c !== null && Number.isInteger((c as ModelCost).params) && Number.isInteger((c as ModelCost).macs);

/**
 * Checks that `value` is a well-formed {@link PruningRecord} (e.g. parsed from JSON) and returns
 * it, naming the first bad field.
 * @internal
 */
export function checkPruningRecord(value: unknown, fn: string, arg = 'record'): PruningRecord {
  const bad = (what: string): never => {
    throw new InvalidValueError(`${fn}: ${arg}${what}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(` must be a PruningRecord object, got ${value === null ? 'null' : typeof value}`);
  const r = value as Record<string, unknown>;
  if (r.format !== PRUNING_RECORD_FORMAT) bad(`.format must be '${PRUNING_RECORD_FORMAT}', got ${JSON.stringify(r.format)}`);
  if (r.version !== PRUNING_RECORD_VERSION) bad(`.version must be ${PRUNING_RECORD_VERSION}, got ${JSON.stringify(r.version)}`);
  for (const key of ['baseModel', 'modelClass'] as const) {
    if (typeof r[key] !== 'string' || (r[key] as string).length === 0) bad(`.${key} must be a non-empty string, got ${JSON.stringify(r[key])}`);
  }
  const shape = r.inputShape;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) bad(`.inputShape must be a non-empty array of positive integers, got ${JSON.stringify(shape)}`);
  if (!Number.isInteger(r.minChannels) || (r.minChannels as number) < 1) bad(`.minChannels must be a positive integer, got ${JSON.stringify(r.minChannels)}`);
  if (!isCost(r.baseCost)) bad(`.baseCost must be {params, macs} integers, got ${JSON.stringify(r.baseCost)}`);
  if (!isCost(r.prunedCost)) bad(`.prunedCost must be {params, macs} integers, got ${JSON.stringify(r.prunedCost)}`);
  if (!Array.isArray(r.groups)) bad(`.groups must be an array, got ${typeof r.groups}`);
  (r.groups as unknown[]).forEach((g, i) => {
    const e = g as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null) bad(`.groups[${i}] must be {root, width, kept}`);
    const { root, width, kept } = e as Record<string, unknown>;
    if (typeof root !== 'string') bad(`.groups[${i}].root must be a string, got ${JSON.stringify(root)}`);
    if (!Number.isInteger(width) || (width as number) < 1) bad(`.groups[${i}].width must be a positive integer, got ${JSON.stringify(width)}`);
    if (!Array.isArray(kept) || kept.length === 0) bad(`.groups[${i}].kept must be a non-empty array of group channel indices`);
    let last = -1;
    for (const k of kept as unknown[]) {
      if (!Number.isInteger(k) || (k as number) <= last || (k as number) >= (width as number)) {
        bad(`.groups[${i}].kept must be ascending integers in [0, ${String(width)}), got ${JSON.stringify(kept)}`);
      }
      last = k as number;
    }
  });
  if (typeof r.notes !== 'object' || r.notes === null || Array.isArray(r.notes)) bad('.notes must be an object');
  checkNotes(fn, r.notes);
  return value as PruningRecord;
}

/**
 * The group channels a record removes, as {@link RemovedChannels} of a graph whose groups it
 * matches (checked by the caller).
 * @internal
 */
export function removedOf(record: PruningRecord): RemovedChannels {
  return record.groups.map((g) => {
    const kept = new Set(g.kept);
    const removed: number[] = [];
    for (let k = 0; k < g.width; k++) if (!kept.has(k)) removed.push(k);
    return removed;
  });
}
