import { defineConfig } from 'vitest/config';
import { labVitest } from '../../vitest.base.ts';

export default defineConfig(labVitest);
