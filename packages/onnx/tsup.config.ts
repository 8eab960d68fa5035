import { defineConfig } from 'tsup';
import { labTsup } from '../../tsup.base';

// Two entries: Node (onnxruntime-node) and the browser condition (onnxruntime-web, optional peer).
export default defineConfig(labTsup({ entry: ['src/index.ts', 'src/browser.ts'] }));
