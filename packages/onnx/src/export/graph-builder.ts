/**
 * Accumulates ONNX nodes and initializers with fresh, unique tensor names.
 * @packageDocumentation
 */
import type { OnnxAttribute, OnnxDataType, OnnxNode, OnnxTensor } from '../proto/onnx-proto';

/** Attribute shorthand: numbers are ints unless wrapped with {@link float}. @internal */
export type AttrValue = number | string | readonly number[] | { readonly float: number } | { readonly floats: readonly number[] };

/** Marks a number attribute as a float. @internal */
export function float(value: number): { float: number } {
  return { float: value };
}

function toAttribute(name: string, v: AttrValue): OnnxAttribute {
  if (typeof v === 'number') return { name, type: 'int', value: v };
  if (typeof v === 'string') return { name, type: 'string', value: v };
  if (Array.isArray(v)) return { name, type: 'ints', value: v as readonly number[] };
  if ('float' in (v as object)) return { name, type: 'float', value: (v as { float: number }).float };
  return { name, type: 'floats', value: (v as { floats: readonly number[] }).floats };
}

/** Builds the node list and initializers of one graph. @internal */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Set<string>();
  private readonly intCache = new Map<string, string>();
  private readonly floatCache = new Map<number, string>();
  private counter = 0;

  /** A name not used yet, derived from `base`. */
  fresh(base: string): string {
    let name = base.replace(/[^A-Za-z0-9_./:-]/g, '_') || 't';
    if (this.names.has(name)) {
      while (this.names.has(`${name}_${this.counter}`)) this.counter++;
      name = `${name}_${this.counter++}`;
    }
    this.names.add(name);
    return name;
  }

  /** Adds a node and returns its output names (`outputs` fresh names when a count is given). */
  node(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}, outputs: number | readonly string[] = 1): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(`${opType.toLowerCase()}_out`)) : [...outputs];
    const attributes = Object.entries(attrs).map(([k, v]) => toAttribute(k, v));
    this.nodes.push({ opType, name: this.fresh(`${opType}_${this.nodes.length}`), inputs, outputs: outs, attributes });
    return outs;
  }

  /** Adds one single-output node and returns its output name. */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttrValue>> = {}): string {
    return this.node(opType, inputs, attrs, 1)[0];
  }

  /** Adds an initializer and returns its name. */
  initializer(base: string, dataType: OnnxDataType, dims: readonly number[], data: OnnxTensor['data']): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dataType, dims: [...dims], data });
    return name;
  }

  /** A 1-D int64 initializer (shared between equal values). */
  ints(values: readonly number[]): string {
    const key = values.join(',');
    let name = this.intCache.get(key);
    if (!name) {
      name = this.initializer('const_i64', 'int64', [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
      this.intCache.set(key, name);
    }
    return name;
  }

  /** A float32 scalar initializer (shared between equal values). */
  scalar(value: number): string {
    let name = this.floatCache.get(value);
    if (!name) {
      name = this.initializer('const_f32', 'float32', [], Float32Array.of(value));
      this.floatCache.set(value, name);
    }
    return name;
  }
}
