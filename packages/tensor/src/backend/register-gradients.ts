/**
 * Side-effect module: registers every gradient and chained op of tfjs-core, plus the gradients
 * lab adds ({@link depthToSpaceGradConfig}).
 *
 * tfjs-core's Node entry (`dist/tf-core.node.js`) registers neither gradients nor chained ops,
 * and its `dist/*.js` files cannot be imported from plain Node (extensionless ESM specifiers).
 * The package build therefore bundles these two registration files (tsup `noExternal`) while
 * tfjs-core itself stays external; the bundled copies register into tfjs-core's global registries.
 * @packageDocumentation
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import { depthToSpaceGradConfig } from './depth-to-space-gradient';

/** Registers the gradients lab adds to tfjs-core; a gradient registered already is left alone. */
export function registerLabGradients(): void {
  for (const config of [depthToSpaceGradConfig]) {
    if (tf.getGradient(config.kernelName) == null) tf.registerGradient(config);
  }
}

registerLabGradients();
