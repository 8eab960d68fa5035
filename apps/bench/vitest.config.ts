import { defineConfig } from 'vitest/config';
import { labVitest } from '../../vitest.base';

export default defineConfig(labVitest);
