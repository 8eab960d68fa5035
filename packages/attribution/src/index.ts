/**
 * `@lab/attribution`: Feature attribution methods with one call shape, and the AttributionLab environment: designed data, a hand-weighted network and exact signed ground truth.
 *
 * Not yet implemented: this package exports nothing until its issue lands.
 * @packageDocumentation
 */
export {};
