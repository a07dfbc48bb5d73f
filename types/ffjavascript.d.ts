/**
 * The part of ffjavascript zkml uses (its wasm BN254 curve), typed: the package ships no types.
 * The curve's interfaces are zkml's own (core/bn254.ts), so no shipped .d.ts names this module.
 */
declare module "ffjavascript" {
  export type BnCurve = import("../core/bn254.js").BnCurve;
  export type CurveGroup = import("../core/bn254.js").CurveGroup;
  export type ScalarField = import("../core/bn254.js").ScalarField;
  /** singleThread: no worker threads (and no cache: each call builds its own). */
  export function getCurveFromName(name: string, singleThread?: boolean): Promise<BnCurve>;
  export function buildBn128(singleThread?: boolean): Promise<BnCurve>;
  export const utils: {
    unstringifyBigInts(o: unknown): unknown;
    stringifyBigInts(o: unknown): unknown;
  };
}
