// Types for the pure-JS snappy peer used in cross-checks and benchmarks (the package ships none).
declare module "snappyjs" {
  type Bytes = Uint8Array | ArrayBuffer;
  const SnappyJS: {
    compress<T extends Bytes>(input: T): T;
    uncompress<T extends Bytes>(input: T, maxLength?: number): T;
  };
  export default SnappyJS;
}
