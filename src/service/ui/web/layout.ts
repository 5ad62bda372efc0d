// A layered (Sugiyama-style) layout for the pipeline graph, left to right: break cycles, put each
// node one column after its latest predecessor, route long edges through placeholder points, order
// each column by the mean position of its neighbours to cut crossings, then place nodes near their
// neighbours without overlaps. Nodes without any edge are packed in a grid underneath.
// Pure computation: it runs in the browser and in the tests.

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdge {
  source: string;
  target: string;
}

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode extends LayoutNode, Point {
  /** Column index (0 for isolated nodes). */
  layer: number;
}

export interface PlacedEdge extends LayoutEdge {
  /** From the source's right side to the target's left side, through placeholder points. */
  points: Point[];
}

export interface Layout {
  nodes: Map<string, PlacedNode>;
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Horizontal gap between columns. */
  columnGap?: number;
  /** Vertical gap between nodes in a column. */
  rowGap?: number;
  margin?: number;
  /** Ordering passes (each one down and one up). */
  passes?: number;
}

interface Vertex {
  id: string;
  width: number;
  height: number;
  dummy: boolean;
  layer: number;
  order: number;
  y: number;
  preds: Vertex[];
  succs: Vertex[];
}

export function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[], options: LayoutOptions = {}): Layout {
  const columnGap = options.columnGap ?? 90;
  const rowGap = options.rowGap ?? 22;
  const margin = options.margin ?? 24;
  const passes = options.passes ?? 8;

  const byId = new Map<string, Vertex>();
  for (const n of nodes) {
    if (byId.has(n.id)) continue;
    byId.set(n.id, { ...n, dummy: false, layer: 0, order: 0, y: 0, preds: [], succs: [] });
  }
  // Distinct edges between known nodes, without self-loops.
  const seen = new Set<string>();
  const realEdges: LayoutEdge[] = [];
  for (const e of edges) {
    const key = `${e.source}\u0000${e.target}`;
    if (e.source === e.target || seen.has(key) || !byId.has(e.source) || !byId.has(e.target)) continue;
    seen.add(key);
    realEdges.push({ source: e.source, target: e.target });
  }

  const connected = new Set<string>();
  for (const e of realEdges) {
    connected.add(e.source);
    connected.add(e.target);
  }
  const vertices = [...byId.values()].filter((v) => connected.has(v.id));
  const isolated = [...byId.values()].filter((v) => !connected.has(v.id));

  // 1. Break cycles: edges that close a cycle in a depth-first walk are laid out reversed.
  const out = new Map<string, string[]>();
  for (const e of realEdges) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  const state = new Map<string, 1 | 2>();
  const reversed = new Set<string>();
  for (const start of vertices) {
    if (state.has(start.id)) continue;
    const stack: [string, number][] = [[start.id, 0]];
    state.set(start.id, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const targets = out.get(top[0]) ?? [];
      if (top[1] >= targets.length) {
        state.set(top[0], 2);
        stack.pop();
        continue;
      }
      const next = targets[top[1]++]!;
      const s = state.get(next);
      if (s === 1) reversed.add(`${top[0]}\u0000${next}`);
      else if (s === undefined) {
        state.set(next, 1);
        stack.push([next, 0]);
      }
    }
  }
  const dagEdges = realEdges.map((e) =>
    reversed.has(`${e.source}\u0000${e.target}`) ? { source: e.target, target: e.source, flipped: true, edge: e } : { ...e, flipped: false, edge: e },
  );
  for (const e of dagEdges) {
    byId.get(e.source)!.succs.push(byId.get(e.target)!);
    byId.get(e.target)!.preds.push(byId.get(e.source)!);
  }

  // 2. Layers: longest path from the sources, then sources moved up next to their first consumer.
  const indegree = new Map(vertices.map((v) => [v, v.preds.length]));
  const queue = vertices.filter((v) => v.preds.length === 0);
  const topo: Vertex[] = [];
  while (queue.length > 0) {
    const v = queue.shift()!;
    topo.push(v);
    for (const w of v.succs) {
      w.layer = Math.max(w.layer, v.layer + 1);
      const d = indegree.get(w)! - 1;
      indegree.set(w, d);
      if (d === 0) queue.push(w);
    }
  }
  for (const v of [...topo].reverse()) {
    if (v.preds.length === 0 && v.succs.length > 0) v.layer = Math.min(...v.succs.map((w) => w.layer)) - 1;
  }
  const layerCount = vertices.length === 0 ? 0 : Math.max(...vertices.map((v) => v.layer)) + 1;

  // 3. Placeholders on edges that skip columns.
  const layers: Vertex[][] = Array.from({ length: layerCount }, () => []);
  for (const v of topo) layers[v.layer]!.push(v);
  const chains: { edge: LayoutEdge; flipped: boolean; path: Vertex[] }[] = [];
  for (const v of vertices) v.succs = [];
  for (const v of vertices) v.preds = [];
  for (const e of dagEdges) {
    const from = byId.get(e.source)!;
    const to = byId.get(e.target)!;
    const path = [from];
    let prev = from;
    for (let layer = from.layer + 1; layer < to.layer; layer++) {
      const dummy: Vertex = { id: `\u0000${chains.length}:${layer}`, width: 0, height: 0, dummy: true, layer, order: 0, y: 0, preds: [prev], succs: [] };
      prev.succs.push(dummy);
      layers[layer]!.push(dummy);
      path.push(dummy);
      prev = dummy;
    }
    prev.succs.push(to);
    to.preds.push(prev);
    path.push(to);
    chains.push({ edge: e.edge, flipped: e.flipped, path });
  }

  // 4. Order within columns: barycenters, sweeping right then left, keeping the best order seen.
  layers.forEach((layer) => layer.forEach((v, i) => (v.order = i)));
  const orderedLayers = () => layers.map((l) => [...l].sort((a, b) => a.order - b.order));
  let best = orderedLayers();
  let bestCrossings = totalCrossings(best);
  const sweep = (from: number, to: number, step: number, neighbours: (v: Vertex) => Vertex[]) => {
    for (let i = from; i !== to; i += step) {
      const layer = layers[i]!;
      const keyed = layer.map((v) => {
        const ns = neighbours(v);
        return { v, key: ns.length === 0 ? v.order : ns.reduce((sum, n) => sum + n.order, 0) / ns.length };
      });
      keyed.sort((a, b) => a.key - b.key || a.v.order - b.v.order);
      keyed.forEach((k, index) => (k.v.order = index));
    }
  };
  for (let pass = 0; pass < passes && bestCrossings > 0; pass++) {
    sweep(1, layerCount, 1, (v) => v.preds);
    sweep(layerCount - 2, -1, -1, (v) => v.succs);
    const current = orderedLayers();
    const crossings = totalCrossings(current);
    if (crossings < bestCrossings) {
      best = current;
      bestCrossings = crossings;
    }
  }
  best.forEach((layer) => layer.forEach((v, i) => (v.order = i)));

  // 5. Coordinates. Columns are as wide as their widest node; y follows the neighbours.
  const columnWidth = best.map((layer) => Math.max(0, ...layer.map((v) => v.width)));
  const columnX: number[] = [];
  let x = margin;
  for (let i = 0; i < layerCount; i++) {
    columnX.push(x);
    x += columnWidth[i]! + columnGap;
  }
  const gapAfter = (v: Vertex) => (v.dummy ? rowGap / 2 : rowGap);
  const pack = (layer: Vertex[]) => {
    let y = 0;
    for (const v of layer) {
      v.y = y;
      y += v.height + gapAfter(v);
    }
  };
  best.forEach(pack);
  const center = (v: Vertex) => v.y + v.height / 2;
  /** Puts the layer's nodes as close to `want` (centres) as the order and gaps allow. */
  const place = (layer: Vertex[], want: (v: Vertex) => number | undefined) => {
    const desired = layer.map((v) => {
      const w = want(v);
      return w === undefined ? v.y : w - v.height / 2;
    });
    // Pushed down from the top and pushed up from the bottom, then the mean of the two, then
    // gaps enforced once more: keeps the order, balances the displacement.
    const need = (i: number) => layer[i]!.height + gapAfter(layer[i]!);
    const down = desired.slice();
    for (let i = 1; i < layer.length; i++) down[i] = Math.max(down[i]!, down[i - 1]! + need(i - 1));
    const up = desired.slice();
    for (let i = layer.length - 2; i >= 0; i--) up[i] = Math.min(up[i]!, up[i + 1]! - need(i));
    const ys = down.map((d, i) => (d + up[i]!) / 2);
    for (let i = 1; i < layer.length; i++) ys[i] = Math.max(ys[i]!, ys[i - 1]! + need(i - 1));
    layer.forEach((v, i) => (v.y = ys[i]!));
  };
  const mean = (vs: Vertex[]) => (vs.length === 0 ? undefined : vs.reduce((sum, n) => sum + center(n), 0) / vs.length);
  for (let iteration = 0; iteration < 4; iteration++) {
    for (let i = 1; i < layerCount; i++) place(best[i]!, (v) => mean(v.preds));
    for (let i = layerCount - 2; i >= 0; i--) place(best[i]!, (v) => mean(v.succs));
  }
  const top = best.flat().reduce((m, v) => Math.min(m, v.y), Infinity);
  if (Number.isFinite(top)) for (const layer of best) for (const v of layer) v.y += margin - top;

  const placed = new Map<string, PlacedNode>();
  let height = margin;
  for (const layer of best) {
    for (const v of layer) {
      if (!v.dummy) {
        const left = columnX[v.layer]! + (columnWidth[v.layer]! - v.width) / 2;
        placed.set(v.id, { id: v.id, width: v.width, height: v.height, layer: v.layer, x: left, y: v.y });
      }
      height = Math.max(height, v.y + v.height);
    }
  }
  let width = layerCount > 0 ? x - columnGap + margin : 0;

  // Isolated nodes: a grid below, as wide as the layered part (or about square on its own).
  if (isolated.length > 0) {
    const cellW = Math.max(...isolated.map((v) => v.width)) + columnGap / 2;
    const cellH = Math.max(...isolated.map((v) => v.height)) + rowGap;
    const fit = Math.max(1, Math.floor((Math.max(width, 0) - margin) / cellW));
    const columns = layerCount > 0 ? fit : Math.max(1, Math.ceil(Math.sqrt(isolated.length * 1.6)));
    const startY = layerCount > 0 ? height + rowGap * 2 : margin;
    isolated.forEach((v, i) => {
      const col = i % columns;
      const row = Math.floor(i / columns);
      placed.set(v.id, { id: v.id, width: v.width, height: v.height, layer: 0, x: margin + col * cellW, y: startY + row * cellH });
    });
    const rows = Math.ceil(isolated.length / columns);
    height = Math.max(height, startY + rows * cellH - rowGap);
    width = Math.max(width, margin + columns * cellW - columnGap / 2 + margin);
  }

  const placedEdges: PlacedEdge[] = chains.map(({ edge, flipped, path }) => {
    const points: Point[] = [];
    path.forEach((v, i) => {
      const cx = columnX[v.layer]!;
      const cy = v.y + v.height / 2;
      if (v.dummy) {
        points.push({ x: cx, y: cy }, { x: cx + columnWidth[v.layer]!, y: cy });
      } else {
        const node = placed.get(v.id)!;
        points.push(i === 0 ? { x: node.x + node.width, y: cy } : { x: node.x, y: cy });
      }
    });
    if (flipped) {
      // Drawn from the real source's right to the real target's left.
      const s = placed.get(edge.source)!;
      const t = placed.get(edge.target)!;
      const inner = points.slice(1, -1).reverse();
      return { ...edge, points: [{ x: s.x + s.width, y: s.y + s.height / 2 }, ...inner, { x: t.x, y: t.y + t.height / 2 }] };
    }
    return { ...edge, points };
  });

  return { nodes: placed, edges: placedEdges, width: Math.max(width, 0), height: height + margin };
}

/** Edge crossings between consecutive columns (each column's vertices in order). */
export function totalCrossings(layers: readonly (readonly { order: number; succs: { order: number }[] }[])[]): number {
  let total = 0;
  for (let i = 0; i + 1 < layers.length; i++) {
    const pairs: [number, number][] = [];
    for (const v of layers[i]!) for (const w of v.succs) pairs.push([v.order, w.order]);
    pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    // Inversions of the targets' order; quadratic, fine for the few hundred edges a column has.
    for (let a = 0; a < pairs.length; a++) {
      for (let b = a + 1; b < pairs.length; b++) {
        if (pairs[a]![0] !== pairs[b]![0] && pairs[a]![1] > pairs[b]![1]) total++;
      }
    }
  }
  return total;
}

/** An SVG path through the points with horizontal tangents (smooth S-curves between columns). */
export function edgePath(points: readonly Point[]): string {
  if (points.length === 0) return "";
  let d = `M${r(points[0]!.x)},${r(points[0]!.y)}`;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (a.y === b.y) {
      d += ` L${r(b.x)},${r(b.y)}`;
      continue;
    }
    const dx = Math.max(Math.abs(b.x - a.x) / 2, 30);
    d += ` C${r(a.x + dx)},${r(a.y)} ${r(b.x - dx)},${r(b.y)} ${r(b.x)},${r(b.y)}`;
  }
  return d;
}

const r = (n: number) => Math.round(n * 10) / 10;
