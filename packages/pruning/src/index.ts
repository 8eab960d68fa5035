/**
 * `@lab/pruning`: Channel dependency groups, importance criteria, random channel configuration search under a budget, and real channel removal.
 *
 * Not yet implemented: this package exports nothing until its issue lands.
 * @packageDocumentation
 */
export {};
