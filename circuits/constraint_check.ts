/**
 * Is every wire of a circuit pinned? A circuit-level check against the classic ZK bug, a signal
 * computed with `<--` that no constraint ties to what it should be. At an honest witness w:
 *  (a) unused: a wire (not an input) that appears in no constraint can take any value;
 *  (b) unpinned: a wire whose lone change w_i + δ breaks no constraint (random δ);
 *  (c) the public outputs must pass (b) and (d);
 *  (d) undetermined: a wire the inputs do not fix through the constraints' Jacobian. A wire is
 *      determined when some constraint's derivative in it is non-zero and that constraint's
 *      other wires (those with non-zero derivative) are determined: the implicit function
 *      theorem then makes it locally unique given the inputs. Wires that only several
 *      constraints fix together (Poseidon's rounds after --O2 substitution) are settled by the
 *      rank of the Jacobian over what is left: full column rank means every one is determined.
 *      This catches what (b) cannot: a free hint copied into a public output changes together
 *      with it, and (b) sees each alone.
 * (d) is local: it does not prove a decomposition has no second, distant solution (that is what
 * the gadgets' alias checks and forged-witness tests are for).
 * Known exceptions are listed with their reason: a wire that no honest prover can use to change
 * what the circuit states.
 */
import { modInverse } from "../core/field.js";
import { evalLinear, type R1cs } from "../core/r1cs.js";
import { mulberry32 } from "../core/random.js";

export interface UnpinnedException {
  /** Matches the signal name (from the .sym file) of the wire. */
  pattern: RegExp;
  gadget: string;
  why: string;
}

export const KNOWN_EXCEPTIONS: readonly UnpinnedException[] = [
  {
    pattern: /\.inv$/,
    gadget: "circomlib IsZero",
    why: "the inverse is a free hint when the input is 0: in·inv = 1 - out and in·out = 0 pin out = 1 whatever inv is",
  },
];

export type WireProblem = "unused" | "unpinned" | "undetermined";

export interface ConstraintCheckReport {
  wires: number;
  constraints: number;
  /** The constant wire, public and private inputs: what the prover chooses freely. */
  inputs: number;
  /** The honest witness satisfies every constraint (else the rest means nothing). */
  satisfied: boolean;
  /** Counts of wires, inputs excluded, in each class. */
  counts: { unused: number; unpinned: number; undetermined: number; excepted: number };
  /** Every public output passes (b) and (d). */
  publicPinned: boolean;
  /** Wires with a problem that no known exception covers. */
  problems: { wire: number; name?: string; problem: WireProblem }[];
  /** Wires with a problem that a known exception covers, and why that is sound. */
  excepted: { wire: number; name?: string; problem: WireProblem; gadget: string }[];
}

/**
 * (a)-(c) per constraint: whether the witness satisfies it, which wires it uses, which it pins
 * (a change by δ breaks it) and its Jacobian row at the witness (the wires with a non-zero
 * derivative, for (d)).
 */
function constraintRows(r1cs: R1cs, witness: readonly bigint[], delta: bigint) {
  const p = r1cs.prime;
  const used = new Uint8Array(r1cs.nWires);
  const pinned = new Uint8Array(r1cs.nWires);
  let satisfied = true;
  const rows: Map<number, bigint>[] = [];
  for (const { a, b, c } of r1cs.constraints) {
    const A = evalLinear(a, witness, p);
    const B = evalLinear(b, witness, p);
    const C = evalLinear(c, witness, p);
    if ((A * B - C) % p !== 0n) satisfied = false;
    const row = new Map<number, bigint>();
    for (const i of new Set<number>([...a.keys(), ...b.keys(), ...c.keys()])) {
      used[i] = 1;
      const ai = a.get(i) ?? 0n;
      const bi = b.get(i) ?? 0n;
      const ci = c.get(i) ?? 0n;
      const d = (((ai * B + bi * A - ci) % p) + p) % p;
      // (A + δa)(B + δb) - (C + δc) = δ·d + δ²·a·b when A·B = C.
      if ((((delta * d + delta * delta * ((ai * bi) % p)) % p) + p) % p !== 0n) pinned[i] = 1;
      if (d !== 0n) row.set(i, d);
    }
    rows.push(row);
  }
  return { used, pinned, satisfied, rows };
}

/** (d) Wires the inputs determine: one unknown left in a row settles it (propagation), then linear systems settle the rest. */
function determinedWires(r1cs: R1cs, rows: Map<number, bigint>[], isInput: (i: number) => boolean): Uint8Array {
  const rowsOf: number[][] = Array.from({ length: r1cs.nWires }, () => []);
  rows.forEach((row, r) => row.forEach((_, i) => rowsOf[i]!.push(r)));
  const determined = new Uint8Array(r1cs.nWires);
  const open = rows.map((row) => [...row.keys()].filter((i) => !isInput(i)).length);
  for (let i = 0; i < r1cs.nWires; i++) if (isInput(i)) determined[i] = 1;
  const queue: number[] = [];
  open.forEach((n, r) => n === 1 && queue.push(r));
  while (queue.length) {
    const r = queue.pop()!;
    const wire = [...rows[r]!.keys()].find((i) => !determined[i]);
    if (wire === undefined) continue;
    determined[wire] = 1;
    for (const r2 of rowsOf[wire]!) if (--open[r2]! === 1) queue.push(r2);
  }
  settleBySystems(rows, rowsOf, determined, r1cs.prime);
  return determined;
}

/** `zkml check`: whether every wire of the circuit is pinned at an honest witness (see ConstraintCheckReport). */
export function checkConstraints(
  r1cs: R1cs,
  witness: readonly bigint[],
  names: ReadonlyMap<number, string> = new Map(),
  exceptions: readonly UnpinnedException[] = KNOWN_EXCEPTIONS,
  seed = 0x5eed,
): ConstraintCheckReport {
  const nInputsEnd = 1 + r1cs.nPubOut + r1cs.nPubIn + r1cs.nPrvIn;
  const isInput = (i: number) => i === 0 || (i > r1cs.nPubOut && i < nInputsEnd);
  const rand = mulberry32(seed);
  // A random non-zero δ (below 2^53: large enough that a degree-2 cancellation is chance).
  const delta = BigInt(Math.floor(rand() * 2 ** 52)) + 1n;
  const { used, pinned, satisfied, rows } = constraintRows(r1cs, witness, delta);
  const determined = determinedWires(r1cs, rows, isInput);

  const problems: ConstraintCheckReport["problems"] = [];
  const excepted: ConstraintCheckReport["excepted"] = [];
  const counts = { unused: 0, unpinned: 0, undetermined: 0, excepted: 0 };
  let publicPinned = true;
  for (let i = 1; i < r1cs.nWires; i++) {
    if (isInput(i)) continue;
    const problem: WireProblem | undefined = !used[i] ? "unused" : !pinned[i] ? "unpinned" : !determined[i] ? "undetermined" : undefined;
    if (!problem) continue;
    counts[problem]++;
    if (i <= r1cs.nPubOut) publicPinned = false;
    const name = names.get(i);
    const rule = name === undefined || i <= r1cs.nPubOut ? undefined : exceptions.find((e) => e.pattern.test(name));
    if (rule) {
      counts.excepted++;
      excepted.push({ wire: i, name, problem, gadget: rule.gadget });
    } else {
      problems.push({ wire: i, ...(name !== undefined && { name }), problem });
    }
  }
  return { wires: r1cs.nWires, constraints: r1cs.constraints.length, inputs: nInputsEnd, satisfied, counts, publicPinned, problems, excepted };
}

/** Witness index → signal name, from circom's .sym file ("label,witness,component,name"). */
export function symbolNames(sym: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of sym.split("\n")) {
    const parts = line.split(",");
    const idx = Number(parts[1]);
    if (parts.length >= 4 && idx >= 0 && !names.has(idx)) names.set(idx, parts.slice(3).join(","));
  }
  return names;
}

/**
 * Sparse Gaussian elimination mod p over the Jacobian of the rows that still hold undetermined
 * wires, restricted to those wires. A wire that gets a pivot is determined; one that gets none
 * is a free direction. Columns are taken from the last wire back, so that when a hint is copied
 * into a public output (a low wire index), the output is the one reported free.
 */
function settleBySystems(rows: readonly ReadonlyMap<number, bigint>[], rowsOf: readonly number[][], determined: Uint8Array, p: bigint): void {
  const open = new Set<number>();
  for (let i = 0; i < determined.length; i++) if (!determined[i]) open.add(i);
  if (open.size === 0) return;
  // The Jacobian restricted to the open wires, over the rows that hold any (copied: eliminated in place).
  const matrix = new Map<number, Map<number, bigint>>();
  const colRows = new Map<number, Set<number>>();
  for (const wire of open) {
    for (const r of rowsOf[wire]!) {
      if (matrix.has(r)) continue;
      const row = new Map([...rows[r]!].filter(([i]) => open.has(i)));
      matrix.set(r, row);
      for (const i of row.keys()) {
        if (!colRows.has(i)) colRows.set(i, new Set());
        colRows.get(i)!.add(r);
      }
    }
  }
  const used = new Set<number>();
  for (const col of [...open].sort((x, y) => y - x)) {
    const candidates = [...(colRows.get(col) ?? [])].filter((r) => !used.has(r));
    if (candidates.length === 0) continue; // a free direction: stays undetermined
    let pivot = candidates[0]!;
    for (const r of candidates) if (matrix.get(r)!.size < matrix.get(pivot)!.size) pivot = r;
    used.add(pivot);
    determined[col] = 1;
    const prow = matrix.get(pivot)!;
    const inv = modInverse(prow.get(col)!, p);
    for (const r of candidates) {
      if (r === pivot) continue;
      const row = matrix.get(r)!;
      const factor = (row.get(col)! * inv) % p;
      for (const [c, v] of prow) {
        const next = ((((row.get(c) ?? 0n) - factor * v) % p) + p) % p;
        if (next === 0n) {
          row.delete(c);
          colRows.get(c)!.delete(r);
        } else {
          if (!row.has(c)) colRows.get(c)!.add(r);
          row.set(c, next);
        }
      }
    }
  }
}
