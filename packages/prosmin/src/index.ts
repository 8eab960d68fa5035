/**
 * `@lab/prosmin`: Probabilistic self-supervised learning with a scoring-rule loss, and its evaluation (linear probe, k-NN, OOD, calibration).
 *
 * Not yet implemented: this package exports nothing until its issue lands.
 * @packageDocumentation
 */
export {};
