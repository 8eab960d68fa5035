import { defineConfig } from 'tsup';
import { labTsup } from '../../tsup.base';

// tfjs-core's Node entry registers no gradients and no chained ops, and its `dist/*.js` files
// cannot be imported from plain Node (extensionless ESM). Bundle those registration files into
// this package while tfjs-core itself stays external (see ../shared/specs/toolchain.md).
export default defineConfig(
  labTsup({
    noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
  }),
);
