/**
 * The BN254 curve as ffjavascript's wasm implements it, typed (ffjavascript ships no types):
 * zkml's own declarations, so the package's .d.ts files name no untyped module. Elements are
 * little-endian Montgomery byte arrays unless a function says otherwise.
 */
/** A field element or curve point: little-endian Montgomery bytes. */
export type Element = Uint8Array;

/** The scalar field Fr (elements of n8 = 32 bytes). */
export interface ScalarField {
  n8: number;
  /** The field's modulus r. */
  p: bigint;
  /** 2-adicity and the root of unity of order 2^s. */
  s: number;
  w: Element[];
  one: Element;
  e(value: bigint | number | string): Element;
  mul(a: Element, b: Element): Element;
  exp(a: Element, e: bigint | number): Element;
  toObject(a: Element): bigint;
  /** The generator of the coset the Groth16 quotient is evaluated on. */
  shift: Element;
  neg(a: Element): Element;
  random(): Element;
  ifft(values: Uint8Array): Promise<Uint8Array>;
  fft(values: Uint8Array): Promise<Uint8Array>;
  batchApplyKey(values: Uint8Array, first: Element, inc: Element): Promise<Uint8Array>;
  batchFromMontgomery(values: Uint8Array): Promise<Uint8Array>;
  /** One element out of Montgomery form (32 bytes, little-endian). */
  fromMontgomery(a: Element): Uint8Array;
}

/** A group G1 or G2 (points in Jacobian or affine form, Montgomery coordinates). */
export interface CurveGroup {
  /** Its coordinate field (Fq or Fq2). */
  F: { n8: number };
  g: Element;
  zero: Element;
  zeroAffine: Element;
  add(a: Element, b: Element): Element;
  neg(a: Element): Element;
  double(a: Element): Element;
  /** A scalar as little-endian bytes or as a number. */
  timesScalar(a: Element, s: Uint8Array | bigint | number): Element;
  timesFr(a: Element, s: Element): Element;
  isValid(a: Element): boolean;
  isZero(a: Element): boolean;
  toAffine(a: Element): Element;
  toRprLEM(buff: Uint8Array, offset: number, a: Element): void;
  fromObject(coords: (bigint | string)[] | (bigint | string)[][]): Element;
  toObject(a: Element): bigint[] | bigint[][];
  /** A point stored as little-endian Montgomery coordinates at `offset` (as zkeys store them). */
  fromRprLEM(buff: Uint8Array, offset: number): Element;
  /** Σ scalar_i·base_i over affine bases and 32-byte little-endian scalars (normal form), on the workers. */
  multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Element>;
}

export interface BnCurve {
  name: string;
  Fr: ScalarField;
  G1: CurveGroup;
  G2: CurveGroup;
  /** The base field's modulus q. */
  q: bigint;
  F1: { n8: number; n64: number };
  /** The wasm thread manager: its concurrency and a task queue of wasm instructions. */
  tm: { concurrency: number; queueAction(task: unknown[]): Promise<Uint8Array[]> };
  pairingEq(...pairs: Element[]): Promise<boolean>;
  /** e(P, Q) in Gt (Fq12, 384 bytes Montgomery), with ffjavascript's final exponentiation. */
  pairing(p: Element, q: Element): Promise<Element>;
  Gt: { eq(a: Element, b: Element): boolean };
  terminate(): Promise<void>;
}
