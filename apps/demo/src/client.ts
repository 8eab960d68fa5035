/**
 * A promise-based client of one lab worker (src/worker.ts).
 * @packageDocumentation
 */
import type { Envelope, Reply, Request, ResultOf } from './protocol';

export class WorkerError extends Error {
  constructor(message: string, readonly workerName: string) {
    super(message);
    this.name = workerName;
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (done: number, total: number) => void;
}

export class LabWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(readonly label: string) {
    // One literal `new Worker(new URL(…), { type: 'module' })`: Vite bundles the worker from it.
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: `lab-${label}` });
    this.worker.onmessage = (event: MessageEvent<Reply>) => this.receive(event.data);
    this.worker.onerror = (event: ErrorEvent) => {
      const error = new WorkerError(`the ${label} worker failed: ${event.message || 'script error'}`, 'WorkerError');
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  request<M extends Request>(
    message: M,
    options: { transfer?: Transferable[]; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<ResultOf[M['kind']]> {
    const id = this.nextId++;
    return new Promise<ResultOf[M['kind']]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: options.onProgress });
      this.worker.postMessage({ ...message, id } as Envelope, options.transfer ?? []);
    });
  }

  private receive(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if (reply.type === 'progress') {
      p.onProgress?.(reply.done, reply.total);
      return;
    }
    this.pending.delete(reply.id);
    if (reply.type === 'ok') p.resolve(reply.result);
    else p.reject(new WorkerError(reply.error, reply.name));
  }
}
