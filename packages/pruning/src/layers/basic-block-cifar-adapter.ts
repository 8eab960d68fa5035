/**
 * The built-in {@link ContainerAdapter} of `BasicBlockCifar`.
 * @packageDocumentation
 */
import { BasicBlockCifar } from '@lab/tensor';
import { setField, type ContainerAdapter } from './layer-pruner';

/**
 * Keeps a pruned `BasicBlockCifar` consistent: its `inPlanes` (checked against the input in
 * `forward`) becomes `conv1.inChannels` and its `planes` `conv2.outChannels`. The zero padding of
 * shortcut A is `planes − inPlanes`, which pruning leaves unchanged: the padded channels are fixed
 * in the dependency graph, so input and output lose the same channels.
 * @category Layers
 */
export const basicBlockCifarAdapter: ContainerAdapter<BasicBlockCifar> = Object.freeze<ContainerAdapter<BasicBlockCifar>>({
  name: 'basic-block-cifar',
  matches: (m) => m instanceof BasicBlockCifar,
  refresh(b: BasicBlockCifar) {
    setField(b, 'inPlanes', b.conv1.inChannels);
    setField(b, 'planes', b.conv2.outChannels);
  },
});
