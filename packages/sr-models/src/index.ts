/**
 * `@lab/sr-models`: super-resolution networks that load the official NTIRE 2022 checkpoints
 * (IMDN, RFDN, RLFN), MATLAB-exact bicubic, the PSNR/SSIM protocol, tiled inference, and the
 * NTIRE 2022 efficiency metrics.
 * @packageDocumentation
 */
export { PIXEL_RANGES } from './models/common/pixel-range';
export type { PixelRange } from './models/common/pixel-range';
export { SrNetwork, SR_NETWORK_DEFAULTS } from './models/common/sr-network';
export type { SrModel, SrNetworkOptions } from './models/common/sr-network';
export { ImdnNtire2022, IMDN_NTIRE2022_DEFAULTS } from './models/imdn-ntire2022/imdn-ntire2022';
export type { ImdnNtire2022Options } from './models/imdn-ntire2022/imdn-ntire2022';
export { ImdBlock } from './models/imdn-ntire2022/imd-block';
export type { ImdBlockOptions } from './models/imdn-ntire2022/imd-block';
export { ShortcutBlock } from './models/imdn-ntire2022/shortcut-block';
export { Imdn, IMDN_DEFAULTS, IMDN_SCALES } from './models/imdn/imdn';
export type { ImdnOptions } from './models/imdn/imdn';
export { ImdModule } from './models/imdn/imd-module';
export { CcaLayer } from './models/imdn/cca-layer';
export { Rfdn, RFDN_DEFAULTS } from './models/rfdn/rfdn';
export type { RfdnOptions } from './models/rfdn/rfdn';
export { Rfdb } from './models/rfdn/rfdb';
export { RfdnEsa } from './models/rfdn/rfdn-esa';
export { Rlfn, RLFN_DEFAULTS } from './models/rlfn/rlfn';
export type { RlfnOptions } from './models/rlfn/rlfn';
export { Rlfb } from './models/rlfn/rlfb';
export { RlfnEsa } from './models/rlfn/rlfn-esa';
export { convLayer } from './models/common/conv-layer';
export type { ConvLayerOptions } from './models/common/conv-layer';
export { models, createModel } from './registry';
export type { ModelEntry, ModelName, ModelOf, ModelOptionsOf, ModelPaper, ModelCheckpoint } from './registry';
export { loadOfficialWeights } from './load';
export type { LoadOfficialWeightsOptions } from './load';
export { ntireMetrics, NTIRE_METRICS_DEFAULTS } from './ntire/ntire-metrics';
export type { NtireMetricsOptions, NtireMetricsResult } from './ntire/ntire-metrics';
export { NTIRE2022_PUBLISHED } from './ntire/ntire2022-published';
export type { Ntire2022Figures } from './ntire/ntire2022-published';
export type { PixelImage, PixelData } from './eval/pixel-image';
export { imresize, imresizeTensor, IMRESIZE_DEFAULTS } from './eval/imresize';
export type { ImresizeOptions, ImresizeSize } from './eval/imresize';
export { rgb2ycbcr, RGB2YCBCR_DEFAULTS } from './eval/color';
export type { Rgb2ycbcrOptions } from './eval/color';
export { modcrop, shave } from './eval/crop';
export { IMAGE_QUALITY_DEFAULTS } from './eval/image-quality-options';
export type { ImageQualityOptions } from './eval/image-quality-options';
export { psnr, PSNR_DEFAULTS } from './eval/psnr';
export type { PsnrOptions } from './eval/psnr';
export { ssim, SSIM_DEFAULTS } from './eval/ssim';
export type { SsimOptions } from './eval/ssim';
export { evaluateSr, EVALUATE_SR_DEFAULTS } from './eval/evaluate-sr';
export type { EvaluateSrOptions, EvaluateSrResult, SrImagePair, SrImageScores, SrScores } from './eval/evaluate-sr';
export { upscale, UPSCALE_DEFAULTS } from './inference/upscale';
export type { UpscaleOptions } from './inference/upscale';
export { AbortError } from './inference/abort-error';
