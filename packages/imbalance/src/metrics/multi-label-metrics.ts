/**
 * Per-class and averaged AUROC, AP and accuracy of a multi-label classifier.
 * @packageDocumentation
 */
import { InvalidValueError, ShapeError, checkOptions } from '@lab/tensor';
import { checkNumber, checkNumberList, checkObject } from '../internal/checks';
import { type MatrixInput, readLabels, readMatrix } from '../internal/matrix';
import { aurocOf, averagePrecisionOf } from './internal';

/** Options of {@link multiLabelMetrics}. @category Metrics */
export interface MultiLabelMetricsOptions {
  /** Decision thresholds on the scores for the accuracies (a score ≥ t predicts the label). @defaultValue [0.5] */
  thresholds?: readonly number[];
}

/** Accuracies at one threshold. @category Metrics */
export interface ThresholdAccuracy {
  /** The threshold t. */
  threshold: number;
  /** Fraction of samples whose every label is predicted right (ignite `Accuracy(is_multilabel=True)`, the reference's "accuracy"). */
  exactMatch: number;
  /** Fraction of all N·C labels predicted right (Hamming accuracy). */
  label: number;
  /** Per class: fraction of samples whose label c is predicted right. */
  perClass: number[];
}

/** What {@link multiLabelMetrics} returns. @category Metrics */
export interface MultiLabelMetricsResult {
  /** AUROC per class; NaN for a class whose labels are all 0 or all 1. */
  auroc: number[];
  /** Average precision per class; NaN for a class without positives. */
  ap: number[];
  /** Mean AUROC over the classes where it is defined (scikit-learn `average='macro'` on those classes). */
  macroAuroc: number;
  /** Mean AP over the classes where it is defined. */
  macroAp: number;
  /** AUROC of all N·C (score, label) pairs pooled (scikit-learn `average='micro'`). */
  microAuroc: number;
  /** AP of all N·C pairs pooled. */
  microAp: number;
  /** Classes left out of the AUROC macro mean (labels of one value only). */
  undefinedAuroc: number[];
  /** Classes left out of the AP macro mean (no positive). */
  undefinedAp: number[];
  /** Accuracies, one entry per threshold in the order given. */
  accuracy: ThresholdAccuracy[];
}

/** Defaults of {@link multiLabelMetrics}: threshold 0.5 on probabilities (imba-explain `acc_metric_transform`). @category Metrics */
export const MULTI_LABEL_METRICS_DEFAULTS = Object.freeze({
  /** Default of {@link MultiLabelMetricsOptions.thresholds}. */
  thresholds: Object.freeze([0.5]) as readonly number[],
});

/**
 * AUROC and average precision per class, their macro and micro means, and accuracies at
 * thresholds, of multi-label scores against 0/1 labels.
 *
 * Per class c: `AUROC_c` and `AP_c` as {@link rocAuc} and {@link averagePrecision} (exact,
 * tie-aware). Macro means average the classes where the metric is defined; micro means pool all
 * N·C pairs. At threshold t, a label is predicted when its score is ≥ t; `exactMatch` counts
 * samples with every label right, `label` counts labels right.
 * @param scores - `[N, C]` scores (probabilities for the default threshold; a tensor is read, not disposed)
 * @param labels - `[N, C]` 0/1 labels
 * @param options - thresholds
 * @returns the metrics; no tensor is allocated
 * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for matrices of different shapes; {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for
 * non-finite scores, labels other than 0/1, a class-free set of labels or bad thresholds.
 * @see arXiv 2204.01729 (AUROC, AP, multi-label accuracy); scikit-learn `roc_auc_score`, `average_precision_score`
 * @example
 * ```ts
 * const m = multiLabelMetrics(probabilities, labels, { thresholds: [0.3, 0.5] });
 * console.log(m.macroAuroc, m.ap, m.accuracy[1].exactMatch);
 * ```
 * @category Metrics
 */
export function multiLabelMetrics(scores: MatrixInput, labels: MatrixInput, options: MultiLabelMetricsOptions = {}): MultiLabelMetricsResult {
  const fn = 'multiLabelMetrics';
  checkObject(fn, 'options', options);
  checkOptions(fn, options, ['thresholds']);
  const thresholds = checkNumberList(fn, 'thresholds', options.thresholds ?? MULTI_LABEL_METRICS_DEFAULTS.thresholds);
  const s = readMatrix(fn, 'scores', scores);
  const y = readLabels(fn, 'labels', labels);
  if (s.rows !== y.rows || s.cols !== y.cols) throw new ShapeError(`${fn}: labels must have the shape of scores [${s.rows}, ${s.cols}], got [${y.rows}, ${y.cols}]`);
  const { rows: n, cols: c } = s;
  const auroc: number[] = [];
  const ap: number[] = [];
  const colS = new Float64Array(n);
  const colY = new Float64Array(n);
  for (let k = 0; k < c; k++) {
    for (let i = 0; i < n; i++) {
      colS[i] = s.data[i * c + k];
      colY[i] = y.data[i * c + k];
    }
    auroc.push(aurocOf(colS, colY));
    ap.push(averagePrecisionOf(colS, colY));
  }
  const undefinedAuroc = auroc.flatMap((v, k) => (Number.isNaN(v) ? [k] : []));
  const undefinedAp = ap.flatMap((v, k) => (Number.isNaN(v) ? [k] : []));
  const microAuroc = aurocOf(s.data, y.data);
  const microAp = averagePrecisionOf(s.data, y.data);
  if (Number.isNaN(microAp)) throw new InvalidValueError(`${fn}: labels must hold at least one positive, got none`);
  const accuracy = thresholds.map((t) => {
    checkNumber(fn, 'thresholds', t);
    const perClass = new Array<number>(c).fill(0);
    let exact = 0;
    let right = 0;
    for (let i = 0; i < n; i++) {
      let all = true;
      for (let k = 0; k < c; k++) {
        const ok = (s.data[i * c + k] >= t ? 1 : 0) === y.data[i * c + k];
        if (ok) {
          right++;
          perClass[k]++;
        } else all = false;
      }
      if (all) exact++;
    }
    return { threshold: t, exactMatch: exact / n, label: right / (n * c), perClass: perClass.map((v) => v / n) };
  });
  return {
    auroc,
    ap,
    macroAuroc: meanDefined(auroc),
    macroAp: meanDefined(ap),
    microAuroc,
    microAp,
    undefinedAuroc,
    undefinedAp,
    accuracy,
  };
}

function meanDefined(values: number[]): number {
  const ok = values.filter((v) => !Number.isNaN(v));
  return ok.length === 0 ? NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
}
