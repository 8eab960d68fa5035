export { profile, PROFILE_DEFAULTS } from './profile';
export type { ProfileOptions, ProfileResult, LayerProfile } from './profile';
export type { NtireCounts } from './ntire-counts';
export { measureRuntime, MEASURE_RUNTIME_DEFAULTS } from './measure-runtime';
export type { MeasureRuntimeOptions, RuntimeResult, RuntimeOutput } from './measure-runtime';
export { formatCount, FORMAT_COUNT_DEFAULTS } from './format-count';
export type { FormatCountOptions } from './format-count';
