/**
 * `@lab/tinytracker`: TinyTracker and iTracker gaze models, int8 post-training quantisation, and size/latency/energy accounting.
 *
 * Not yet implemented: this package exports nothing until its issue lands.
 * @packageDocumentation
 */
export {};
