/**
 * Union-find over channel elements (path halving, union by size).
 * @packageDocumentation
 */

/** A growable disjoint-set forest. @internal */
export class UnionFind {
  private parent: number[] = [];
  private rank: number[] = [];

  /** Number of elements. */
  get size(): number {
    return this.parent.length;
  }

  /** Adds `n` singleton elements and returns the index of the first. */
  add(n: number): number {
    const first = this.parent.length;
    for (let i = 0; i < n; i++) {
      this.parent.push(first + i);
      this.rank.push(0);
    }
    return first;
  }

  /** Representative of `x`'s set. */
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]];
      x = p[x];
    }
    return x;
  }

  /** Merges the sets of `a` and `b`. */
  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.rank[ra] < this.rank[rb]) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    if (this.rank[ra] === this.rank[rb]) this.rank[ra]++;
  }
}
