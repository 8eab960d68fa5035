import { defineConfig } from 'tsup';
import { labTsup } from '../../tsup.base';

export default defineConfig(labTsup());
