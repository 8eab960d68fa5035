/**
 * `@lab/imbalance`: Cost-sensitive losses, samplers, multi-label metrics, and saliency-alignment and concept analysis for models trained on imbalanced data.
 *
 * Not yet implemented: this package exports nothing until its issue lands.
 * @packageDocumentation
 */
export {};
