/**
 * Keys recognised by what they are, not by what a JSON file says of them. Every key made on the
 * official powers of tau (the Hermez/Polygon ceremony's final files, of any power) shares that
 * ceremony's α·G1 and β·G2 (Groth16's vk_alpha_1, vk_beta_2) and its τ·G2 (PLONK's and
 * FFLONK's X_2): a phase-2 contribution changes only δ. Keys drawn by zkml (direct development
 * keys, the development ptau) have points of their own. A Solidity verifier holds these points
 * as 32-byte constants, so its bytecode says which keys it will check against.
 *
 * Matching them is evidence of provenance, not a proof of soundness: `zkml setup --verify`
 * checks a key against the ptau itself.
 */

/** α·G1's x and y of the Hermez ceremony (vk_alpha_1). */
const ALPHA_G1 = [
  "20491192805390485299153009773594534940189261866228447918068658471970481763042",
  "9383485363053290200918347156157836566562967994039712273449902621266178545958",
] as const;
/** β·G2 of the Hermez ceremony (vk_beta_2: x = [c0, c1], y = [c0, c1]). */
const BETA_G2 = [
  [
    "6375614351688725206403948262868962793625744043794305715222011528459656738731",
    "4252822878758300859123897981450591353533073413197771768651442665752259397132",
  ],
  [
    "10505242626370262277552901082094356697409835680220590971873171140371331206856",
    "21847035105528745403288232691147584728191162732299865338377159692350059136679",
  ],
] as const;
/** τ·G2's x of the Hermez ceremony (X_2's x = [c0, c1]); x fixes the point up to its sign. */
const TAU_G2_X = [
  "21831381940315734285607113342023901060522397560371972897001948545212302161822",
  "17231025384763736816414546592865244497437017442647097510447326538965263639101",
] as const;

const same = (a: unknown, b: readonly string[]) => Array.isArray(a) && b.every((x, i) => a[i] === x);

/** Whether a snarkjs verification key (any system) was made on the official powers of tau. */
export function keyFromCeremony(vk: unknown): boolean {
  if (vk === null || typeof vk !== "object") return false;
  const k = vk as Record<string, unknown>;
  if (k.protocol === "groth16") {
    const beta = k.vk_beta_2;
    return same(k.vk_alpha_1, ALPHA_G1) && Array.isArray(beta) && same(beta[0], BETA_G2[0]) && same(beta[1], BETA_G2[1]);
  }
  if (k.protocol === "plonk" || k.protocol === "fflonk") return Array.isArray(k.X_2) && same(k.X_2[0], TAU_G2_X);
  return false;
}

/** PUSH32 of a decimal constant, as solc writes it into bytecode. */
const push32 = (decimal: string) => "7f" + BigInt(decimal).toString(16).padStart(64, "0");

/** Whether contract bytecode (0x hex) holds the official ceremony's key points: Groth16's α, or PLONK's/FFLONK's τ·G2. */
export function bytecodeFromCeremony(bytecode: string): boolean {
  const code = bytecode.toLowerCase();
  const groth16 = ALPHA_G1.every((c) => code.includes(push32(c)));
  const universal = TAU_G2_X.every((c) => code.includes(push32(c)));
  return groth16 || universal;
}
