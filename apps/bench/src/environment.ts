/**
 * The machine and backend a run happened on, recorded in every report so figures can be compared.
 * @packageDocumentation
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';

/** What the backend start-up reports (the shape of `initBackend`'s result in `@lab/tensor`). */
export interface BackendInfo {
  readonly backend: string;
  readonly simd: boolean;
  readonly threads: number;
  readonly multiThread?: boolean;
}

/** The `environment` block of a report. */
export interface Environment {
  /** Node.js version, e.g. `v20.20.0`. */
  readonly node: string;
  /** Active tfjs backend at the start of the run (`wasm` or `cpu`). */
  readonly backend: string;
  /** Whether the wasm backend runs its SIMD binary (false on cpu). */
  readonly simd: boolean;
  /** Threads of the wasm backend (1 in Node). */
  readonly threads: number;
  readonly cpu: {
    /** CPU model as the OS reports it. */
    readonly model: string;
    /** Logical cores. */
    readonly cores: number;
    readonly arch: string;
  };
  readonly platform: string;
  /** `@tensorflow/tfjs-core` version. */
  readonly tfjs: string;
}

/** The environment of this process with the given backend. */
export function describeEnvironment(backend: BackendInfo): Environment {
  const cpus = os.cpus();
  return {
    node: process.version,
    backend: backend.backend,
    simd: backend.simd,
    threads: backend.threads,
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, arch: process.arch },
    platform: `${process.platform} ${os.release()}`,
    tfjs: tf.version_core,
  };
}
