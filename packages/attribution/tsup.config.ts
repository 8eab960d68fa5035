import { defineConfig } from 'tsup';
import { labTsup } from '../../tsup.base';

// A second entry, dist/attribution-task.js, is the module the workers of createAttributionWorkers
// load (src/parallel/attribution-task.ts); @lab/tensor stays external in it.
export default defineConfig(labTsup({ entry: { index: 'src/index.ts', 'attribution-task': 'src/parallel/attribution-task.ts' } }));
