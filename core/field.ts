/**
 * Encoding of integers into BN254 scalar-field elements, and the packing that keeps the number
 * of hashed field elements (and so the circuit's Poseidon cost) small.
 */
/** BN254's base field: every curve point coordinate is below it (the EVM refuses one that is not). */
export const FIELD_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

export const FIELD_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** b^e mod m, square and multiply. */
export function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  for (b = ((b % m) + m) % m; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}

/** a⁻¹ mod m by the extended Euclidean algorithm (a not 0 mod m; m prime here), several times faster than a^(m−2). */
export function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1, t0, t1] = [m, ((a % m) + m) % m, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return ((t0 % m) + m) % m;
}

/** Signed integer → field element (negative numbers wrap to r - |v|, as circom does). */
export function toField(v: bigint | number): bigint {
  const b = BigInt(v) % FIELD_R;
  return b < 0n ? b + FIELD_R : b;
}

/** Field element → signed integer, taking the upper half of the field as negative. */
export function fromField(f: bigint): bigint {
  const x = ((f % FIELD_R) + FIELD_R) % FIELD_R;
  return x > FIELD_R / 2n ? x - FIELD_R : x;
}

/** Bits of payload per packed field element: 248 < 253, so no packed element can wrap. */
export const PACK_BITS = 248;

/**
 * Pack signed values that are known to lie in [-2^(bits-1), 2^(bits-1)) into field elements,
 * floor(248 / bits) per element, little-endian, each value offset by 2^(bits-1) so it is
 * non-negative. The circuit does exactly this with the bits it already has from range checks.
 */
export function packSigned(values: readonly bigint[], bits: number): bigint[] {
  const perElement = Math.floor(PACK_BITS / bits);
  const offset = 1n << BigInt(bits - 1);
  const out: bigint[] = [];
  for (let start = 0; start < values.length; start += perElement) {
    let acc = 0n;
    const chunk = values.slice(start, start + perElement);
    for (let j = chunk.length - 1; j >= 0; j--) {
      const u = chunk[j]! + offset;
      if (u < 0n || u >= 1n << BigInt(bits)) {
        throw new RangeError(`value ${chunk[j]} does not fit in ${bits} signed bits`);
      }
      acc = (acc << BigInt(bits)) + u;
    }
    out.push(acc);
  }
  return out;
}

/** How many field elements packSigned produces. */
export function packedLength(count: number, bits: number): number {
  return Math.ceil(count / Math.floor(PACK_BITS / bits));
}

/** Inputs per Poseidon call in the commitment chain: the running state plus 15 new elements. */
export const CHAIN_RATE = 15;

/**
 * A fresh blinding factor: uniform below the field order (rejection sampling over 254 random
 * bits, so at least 253 bits of entropy). Web Crypto, so the same code runs in Node and browsers.
 */
export function randomBlinding(): bigint {
  for (;;) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
    bytes[0]! &= 0x3f;
    const v = BigInt("0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));
    if (v < FIELD_R) return v;
  }
}
