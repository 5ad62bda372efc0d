// Public API of component schemas: typed decoding of Alloy values, block
// bodies declared as struct schemas, durations, and encoding back to Alloy.
//
//   const Args = struct({
//     targets:         attr(t.array(t.map(t.string()))),
//     scrape_interval: attr(t.duration(), { default: 60 * Second }),
//     basic_auth:      block(BasicAuth, { optional: true }),
//     rule:            blocks(Rule, { optional: true }),
//   }, { validate: (a) => (a.scrape_interval <= 0 ? "scrape_interval must be positive" : undefined) });
//
// Decode a component's body with decodeBody (vm/index.ts); encode its
// exports with Args.encode(host); list its non-default settings with
// encodeBody(Args, host).

export {
  ArrayType,
  capsuleConvert,
  type CapsuleTypeOptions,
  coerce,
  type HostOf,
  hostEqual,
  MapType,
  NullableType,
  numberToJS,
  NumberType,
  type NumberWidth,
  t,
  TextType,
  type TextTypeOptions,
  type Type,
} from "./types.ts";
export {
  attr,
  type AttrDef,
  type AttrOptions,
  block,
  type BlockDef,
  type BlockOptions,
  blocks,
  type BlocksDef,
  type BlocksOptions,
  enumBlocks,
  type EnumDef,
  type EnumMember,
  type FieldDef,
  type FieldHost,
  type FlatField,
  type Host,
  type HostOfShape,
  label,
  type LabelDef,
  type Shape,
  squash,
  type SquashDef,
  struct,
  type StructOptions,
  StructType,
} from "./struct.ts";
export {
  type Duration,
  formatDuration,
  Hour,
  Microsecond,
  Millisecond,
  Minute,
  Nanosecond,
  parseDuration,
  parseDurationBig,
  Second,
} from "./duration.ts";
export { type AttrItem, type BlockItem, type BodyItem, encodeBody, type EncodeMode, isComparable } from "./encode.ts";
export { appendBodyItems, appendFrom } from "./builder.ts";
