/**
 * `@lab/faithfulness-metrics`: Soundness and completeness, plus the classic faithfulness, localisation, complexity, randomisation and axiom metrics for attributions.
 *
 * Not yet implemented: this package exports nothing until its issue lands.
 * @packageDocumentation
 */
export {};
