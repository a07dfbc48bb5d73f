/**
 * How many PLONK gates snarkjs will make of an r1cs, without running its setup: the ptau must
 * be chosen (and maybe generated) first. PLONK gates have fan-in 2, so every linear
 * combination of k > 1 signals costs k - 1 addition gates; circom's free linear layers are not
 * free here. Mirrors processConstraints() in snarkjs plonk_setup.js and fflonk_setup.js; it
 * counts a term that cancels when snarkjs joins two combinations, so it may overcount, never under.
 */

export interface R1csShape {
  nConstraints: number;
  nPublic: number;
  /** Upper bound of snarkjs's PLONK constraint count. */
  plonkGates: number;
}

interface Lc {
  signals: Set<number>;
  constant: boolean;
}

/** The gate count of an r1cs file's bytes. */
export function plonkGateCount(bytes: Uint8Array): R1csShape {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nSections = view.getUint32(8, true);
  let pos = 12;
  let header: { n8: number; nOutputs: number; nPubInputs: number; nConstraints: number } | undefined;
  let constraintsAt = -1;
  for (let s = 0; s < nSections; s++) {
    const type = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    const body = pos + 12;
    if (type === 1) {
      const n8 = view.getUint32(body, true);
      const h = body + 4 + n8;
      header = { n8, nOutputs: view.getUint32(h + 4, true), nPubInputs: view.getUint32(h + 8, true), nConstraints: view.getUint32(h + 24, true) };
    }
    if (type === 2) constraintsAt = body;
    pos = body + size;
  }
  if (!header || constraintsAt < 0) throw new Error("not an r1cs file (no header or constraints section)");
  const { n8 } = header;
  let at = constraintsAt;
  const readLc = (): Lc => {
    const n = view.getUint32(at, true);
    at += 4;
    const lc: Lc = { signals: new Set(), constant: false };
    for (let i = 0; i < n; i++) {
      const wire = view.getUint32(at, true);
      let zero = true;
      for (let b = 0; b < n8; b++)
        if (bytes[at + 4 + b] !== 0) {
          zero = false;
          break;
        }
      at += 4 + n8;
      if (zero) continue;
      if (wire === 0) lc.constant = true;
      else lc.signals.add(wire);
    }
    return lc;
  };
  const reduce = (k: number, maxC: number) => Math.max(0, k - maxC);
  const union = (a: Set<number>, b: Set<number>) => new Set([...a, ...b]).size;
  const nPublic = header.nOutputs + header.nPubInputs;
  let gates = nPublic;
  for (let c = 0; c < header.nConstraints; c++) {
    const [a, b, cc] = [readLc(), readLc(), readLc()];
    const typeA = a.signals.size > 0 ? "n" : a.constant ? "k" : "0";
    const typeB = b.signals.size > 0 ? "n" : b.constant ? "k" : "0";
    if (typeA === "0" || typeB === "0") gates += 1 + reduce(cc.signals.size, 3);
    else if (typeA === "k") gates += 1 + reduce(union(b.signals, cc.signals), 3);
    else if (typeB === "k") gates += 1 + reduce(union(a.signals, cc.signals), 3);
    else gates += 1 + reduce(a.signals.size, 1) + reduce(b.signals.size, 1) + reduce(cc.signals.size, 1);
  }
  return { nConstraints: header.nConstraints, nPublic, plonkGates: gates };
}

/** Smallest power 2^p with 2^p > gates (snarkjs: cirPower = log2(n - 1) + 1, at least 3). */
export function circuitPower(gates: number): number {
  return Math.max(3, Math.floor(Math.log2(Math.max(1, gates - 1))) + 1);
}
