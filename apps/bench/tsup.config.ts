import { defineConfig } from 'tsup';
import { labTsup } from '../../tsup.base';

// The CLI is an ESM executable; no CJS or types needed.
export default defineConfig(
  labTsup({
    entry: ['src/cli.ts'],
    format: ['esm'],
    dts: false,
    banner: { js: '#!/usr/bin/env node' },
  }),
);
