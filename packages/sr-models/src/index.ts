/**
 * `@lab/sr-models`: Super-resolution networks that load official checkpoints (IMDN, GRL, CiaoSR, DATSR), MATLAB-exact bicubic, PSNR/SSIM and NTIRE efficiency metrics.
 *
 * Not yet implemented: this package exports nothing until its issue lands.
 * @packageDocumentation
 */
export {};
