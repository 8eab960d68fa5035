/**
 * iTracker (Krafka et al., CVPR 2016), the comparison model of TinyTracker.
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Flatten, Linear, MaxPool2d, Module, ReLU, type Rng, Sequential, checkOptions } from '@lab/tensor';
import { checkTensor } from '../../internal/checks';
import { CrossMapLRN2d } from './cross-map-lrn2d';

/** Options of {@link ITracker}. @category Models */
export interface ITrackerOptions {
  /** Generator of the initial weights. @defaultValue the global generator */
  rng?: Rng;
}

/** Side of iTracker's face and eye crops. @category Models */
export const ITRACKER_INPUT_SIZE = 224;

/**
 * One convolution tower of iTracker (`ItrackerImageModel`): `features` = conv 96@11×11/4 → ReLU
 * → max-pool 3/2 → LRN(5) → conv 256@5×5 pad 2, groups 2 → ReLU → max-pool 3/2 → LRN(5) →
 * conv 384@3×3 pad 1 → ReLU → conv 64@1×1 → ReLU, then flattened in PyTorch's (c, h, w) order:
 * `[n, 224, 224, 3] → [n, 9216]` (12×12×64).
 * @internal
 */
export class ItrackerImageModel extends Module<[tf.Tensor], tf.Tensor> {
  readonly features: Sequential;
  readonly flatten = new Flatten({ torchOrder: true });
  constructor(rng?: Rng) {
    super();
    this.features = this.registerModule(
      'features',
      new Sequential(
        new Conv2d(3, 96, 11, { stride: 4, rng }),
        new ReLU(),
        new MaxPool2d(3, { stride: 2 }),
        new CrossMapLRN2d(5, 1e-4, 0.75, 1),
        new Conv2d(96, 256, 5, { padding: 2, groups: 2, rng }),
        new ReLU(),
        new MaxPool2d(3, { stride: 2 }),
        new CrossMapLRN2d(5, 1e-4, 0.75, 1),
        new Conv2d(256, 384, 3, { padding: 1, rng }),
        new ReLU(),
        new Conv2d(384, 64, 1, { rng }),
        new ReLU(),
      ),
    );
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.flatten.call(this.features.call(x)));
  }
}

/**
 * iTracker, the gaze network of "Eye Tracking for Everyone" (Krafka et al., CVPR 2016), with the
 * module names of the official PyTorch port (`ITrackerModel`), so its `state_dict` loads.
 *
 * Inputs: face, left eye and right eye crops `[n, 224, 224, 3]` and the 25×25 binary face grid
 * flattened `[n, 625]`. The two eyes share `eyeModel`; the face has its own tower
 * (`faceModel.conv`) followed by `faceModel.fc` (9216 → 128 → 64, ReLU); `eyesFC` maps the
 * concatenated eyes (18432) to 128; `gridModel.fc` maps the grid 625 → 256 → 128; `fc` maps the
 * concatenation (320) → 128 → 2 (cm). 6,286,274 parameters, 25.1 MB in float32.
 * @see Krafka et al., CVPR 2016; CSAILVision/GazeCapture `pytorch/ITrackerModel.py`
 * @example
 * ```ts
 * const net = new ITracker();
 * const gaze = net.call(face, eyeLeft, eyeRight, faceGridMask(boxes)); // [n, 2] cm
 * ```
 * @category Models
 */
export class ITracker extends Module<[tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor], tf.Tensor> {
  /** Convolutional tower shared by both eye crops. */
  readonly eyeModel: ItrackerImageModel;
  /** Face branch: convolutional tower then fully connected layers to 64 features. */
  readonly faceModel: Module<[tf.Tensor], tf.Tensor>;
  /** Face-grid branch: fully connected layers on the 625-value grid. */
  readonly gridModel: Module<[tf.Tensor], tf.Tensor>;
  /** Fully connected layer on the two concatenated eye features (→ 128, ReLU). */
  readonly eyesFC: Sequential;
  /** Head on the eye, face and grid features (320 → 128 → 2). */
  readonly fc: Sequential;

  /**
   * @param options - see {@link ITrackerOptions}
   * @throws {@link "@lab/tensor"!InvalidValueError | InvalidValueError} for an unknown option
   */
  constructor(options: ITrackerOptions = {}) {
    super();
    checkOptions('ITracker', options, ['rng']);
    const rng = options.rng;
    this.eyeModel = this.registerModule('eyeModel', new ItrackerImageModel(rng));
    this.faceModel = this.registerModule('faceModel', new FaceImageModel(rng));
    this.gridModel = this.registerModule('gridModel', new FaceGridModel(rng));
    this.eyesFC = this.registerModule('eyesFC', new Sequential(new Linear(2 * 12 * 12 * 64, 128, { rng }), new ReLU()));
    this.fc = this.registerModule('fc', new Sequential(new Linear(128 + 64 + 128, 128, { rng }), new ReLU(), new Linear(128, 2, { rng })));
  }

  /**
   * Predicts the gaze point in cm.
   * @param face - face crops `[n, 224, 224, 3]`, float32 (mean-subtracted in the reference)
   * @param eyeLeft - left-eye crops `[n, 224, 224, 3]`
   * @param eyeRight - right-eye crops `[n, 224, 224, 3]`
   * @param faceGrid - binary face grids `[n, 625]` (see `faceGridMask`)
   * @returns `[n, 2]` (cm); the caller disposes it
   * @throws {@link "@lab/tensor"!ShapeError | ShapeError} for a mis-shaped input (named) or differing batch sizes
   */
  forward(face: tf.Tensor, eyeLeft: tf.Tensor, eyeRight: tf.Tensor, faceGrid: tf.Tensor): tf.Tensor {
    const s = ITRACKER_INPUT_SIZE;
    const n = checkTensor('ITracker', 'face', face, [-1, s, s, 3]).shape[0];
    checkTensor('ITracker', 'eyeLeft', eyeLeft, [n, s, s, 3]);
    checkTensor('ITracker', 'eyeRight', eyeRight, [n, s, s, 3]);
    checkTensor('ITracker', 'faceGrid', faceGrid, [n, 625]);
    return tf.tidy(() => {
      const eyes = this.eyesFC.call(tf.concat([this.eyeModel.call(eyeLeft), this.eyeModel.call(eyeRight)], 1));
      const x = tf.concat([eyes, this.faceModel.call(face), this.gridModel.call(faceGrid)], 1);
      return this.fc.call(x);
    });
  }
}

/** `FaceImageModel`: `conv` tower then `fc` (9216 → 128 → 64, ReLU). @internal */
class FaceImageModel extends Module<[tf.Tensor], tf.Tensor> {
  readonly conv: ItrackerImageModel;
  readonly fc: Sequential;
  constructor(rng?: Rng) {
    super();
    this.conv = this.registerModule('conv', new ItrackerImageModel(rng));
    this.fc = this.registerModule('fc', new Sequential(new Linear(12 * 12 * 64, 128, { rng }), new ReLU(), new Linear(128, 64, { rng }), new ReLU()));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc.call(this.conv.call(x)));
  }
}

/** `FaceGridModel`: `fc` (625 → 256 → 128, ReLU). @internal */
class FaceGridModel extends Module<[tf.Tensor], tf.Tensor> {
  readonly fc: Sequential;
  constructor(rng?: Rng) {
    super();
    this.fc = this.registerModule('fc', new Sequential(new Linear(625, 256, { rng }), new ReLU(), new Linear(256, 128, { rng }), new ReLU()));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc.call(x));
  }
}
