// V8 heap snapshots without the program's data. A snapshot names every string node by its content,
// so a raw one carries every secret the agent holds (passwords, tokens, local.file contents marked
// is_secret). Go's heap profiles, which Alloy serves and bundles, hold stacks and sizes only; to
// match that, the contents of string nodes are replaced before a snapshot leaves the agent. Object
// shapes, constructor and property names, sizes, retainers and allocation stacks stay, which is
// what finding a leak needs.
//
// The format (V8's HeapSnapshotJSONSerializer): flat `nodes` and `edges` arrays described by
// `snapshot.meta`, and a `strings` table that node names and property edge names index into.

export const REDACTED_STRING = "<redacted>";

interface HeapSnapshotJSON {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
      trace_function_info_fields?: string[];
    };
  };
  nodes: number[];
  edges: number[];
  trace_function_infos?: number[];
  strings: string[];
}

/** Node types whose name is the string's content. */
const STRING_NODE_TYPES = ["string", "concatenated string", "sliced string"];
/** Edge types whose name_or_index is an index, not a string. */
const INDEX_EDGE_TYPES = ["element", "hidden"];

/** The snapshot with the content of every string node replaced by REDACTED_STRING. */
export function redactHeapSnapshotText(text: string): string {
  const snapshot = JSON.parse(text) as HeapSnapshotJSON;
  const { meta } = snapshot.snapshot;
  const strings = snapshot.strings;

  // Strings that name something other than a string's content stay (type, property and function names).
  const keep = new Uint8Array(strings.length);
  const redact = new Uint8Array(strings.length);

  const nodeStride = meta.node_fields.length;
  const typeAt = meta.node_fields.indexOf("type");
  const nameAt = meta.node_fields.indexOf("name");
  const stringTypes = new Set(STRING_NODE_TYPES.map((t) => meta.node_types[0].indexOf(t)).filter((i) => i >= 0));
  const nodes = snapshot.nodes;
  for (let i = 0; i + nodeStride <= nodes.length; i += nodeStride) {
    const name = nodes[i + nameAt]!;
    if (stringTypes.has(nodes[i + typeAt]!)) redact[name] = 1;
    else keep[name] = 1;
  }

  const edgeStride = meta.edge_fields.length;
  const edgeTypeAt = meta.edge_fields.indexOf("type");
  const edgeNameAt = meta.edge_fields.indexOf("name_or_index");
  const indexTypes = new Set(INDEX_EDGE_TYPES.map((t) => meta.edge_types[0].indexOf(t)).filter((i) => i >= 0));
  const edges = snapshot.edges;
  for (let i = 0; i + edgeStride <= edges.length; i += edgeStride) {
    if (!indexTypes.has(edges[i + edgeTypeAt]!)) keep[edges[i + edgeNameAt]!] = 1;
  }

  const traceFields = meta.trace_function_info_fields ?? [];
  const infos = snapshot.trace_function_infos ?? [];
  if (traceFields.length > 0) {
    const named = ["name", "script_name"].map((f) => traceFields.indexOf(f)).filter((i) => i >= 0);
    for (let i = 0; i + traceFields.length <= infos.length; i += traceFields.length) {
      for (const at of named) keep[infos[i + at]!] = 1;
    }
  }

  for (let i = 0; i < strings.length; i++) {
    if (redact[i] && !keep[i]) strings[i] = REDACTED_STRING;
  }
  return JSON.stringify(snapshot);
}

/** Reads a streamed snapshot and returns it redacted, as UTF-8. */
export async function redactedHeapSnapshot(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const text = await new Response(stream).text();
  return new TextEncoder().encode(redactHeapSnapshotText(text));
}
