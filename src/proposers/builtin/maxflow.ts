/**
 * Exact s-t minimum cut of a small graph by max-flow (Dinic: BFS level graph, blocking flow by DFS).
 * Used by the leaf-level graph cut (leaf-cut.ts), whose graphs have tens to a few hundred nodes.
 *
 * Own code rather than a package: the npm registry has no maintained JavaScript max-flow / graph-cut
 * library (the graph-cut codes are C++ — Boykov–Kolmogorov's maxflow, GCO — with Python wrappers), and
 * Dinic on a graph this size is a few dozen lines. Deterministic: same graph, same cut.
 */

const EPS = 1e-9;

export class MaxFlow {
  private readonly head: number[];
  private to: number[] = [];
  private cap: number[] = [];
  private next: number[] = [];
  /** Node count, the source and the sink included (source = n, sink = n + 1). */
  readonly size: number;
  private readonly source: number;
  private readonly sink: number;
  private side?: Uint8Array;

  /** A graph of `n` ordinary nodes (0..n−1) plus a source and a sink. */
  constructor(readonly n: number) {
    this.size = n + 2;
    this.source = n;
    this.sink = n + 1;
    this.head = new Array(this.size).fill(-1);
  }

  private arc(a: number, b: number, c: number): void {
    this.to.push(b);
    this.cap.push(c);
    this.next.push(this.head[a]);
    this.head[a] = this.to.length - 1;
  }

  /** Edge a → b with capacity `ab` and b → a with capacity `ba` (one residual pair). */
  addEdge(a: number, b: number, ab: number, ba = ab): void {
    this.arc(a, b, Math.max(0, ab));
    this.arc(b, a, Math.max(0, ba));
    this.side = undefined;
  }

  /**
   * Terminal links of node i: `toSource` is paid when i ends on the sink side (so it is i's cost of
   * being "background"), `toSink` when i ends on the source side (its cost of being "foreground").
   */
  addTerminal(i: number, toSource: number, toSink: number): void {
    // Only the difference matters for the cut; keeping both small keeps the flow short.
    const m = Math.min(toSource, toSink);
    if (toSource - m > 0) this.addEdge(this.source, i, toSource - m, 0);
    if (toSink - m > 0) this.addEdge(i, this.sink, toSink - m, 0);
  }

  /** Runs the max-flow; returns its value (= the min-cut cost, up to the constants dropped above). */
  maxflow(): number {
    const N = this.size;
    const level = new Int32Array(N);
    const it = new Int32Array(N);
    const queue = new Int32Array(N);
    let flow = 0;
    for (;;) {
      level.fill(-1);
      level[this.source] = 0;
      let qh = 0;
      let qt = 0;
      queue[qt++] = this.source;
      while (qh < qt) {
        const v = queue[qh++];
        for (let e = this.head[v]; e >= 0; e = this.next[e]) {
          const u = this.to[e];
          if (level[u] < 0 && this.cap[e] > EPS) {
            level[u] = level[v] + 1;
            queue[qt++] = u;
          }
        }
      }
      if (level[this.sink] < 0) break;
      for (let v = 0; v < N; v++) it[v] = this.head[v];
      for (;;) {
        const f = this.push(this.source, Number.POSITIVE_INFINITY, level, it);
        if (f <= EPS) break;
        flow += f;
      }
    }
    // Source side = reachable from the source in the residual graph.
    const side = new Uint8Array(N);
    const stack = [this.source];
    side[this.source] = 1;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (let e = this.head[v]; e >= 0; e = this.next[e]) {
        const u = this.to[e];
        if (!side[u] && this.cap[e] > EPS) {
          side[u] = 1;
          stack.push(u);
        }
      }
    }
    this.side = side;
    return flow;
  }

  private push(v: number, limit: number, level: Int32Array, it: Int32Array): number {
    if (v === this.sink) return limit;
    for (; it[v] >= 0; it[v] = this.next[it[v]]) {
      const e = it[v];
      const u = this.to[e];
      if (this.cap[e] <= EPS || level[u] !== level[v] + 1) continue;
      const f = this.push(u, Math.min(limit, this.cap[e]), level, it);
      if (f > EPS) {
        this.cap[e] -= f;
        this.cap[e ^ 1] += f;
        return f;
      }
    }
    return 0;
  }

  /** After `maxflow`: whether node i is on the source ("foreground") side of the minimum cut. */
  isSourceSide(i: number): boolean {
    if (!this.side) throw new Error("MaxFlow: call maxflow() first");
    return this.side[i] === 1;
  }
}
