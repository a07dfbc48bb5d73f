/**
 * Groth16 verification with the pairing product on the native addon: snarkjs's groth16Verify
 * step for step (public signals below r, the proof's points on their curves, the same four
 * pairs), only the multi-pairing moved off ffjavascript's WebAssembly, which costs ~25 ms a proof
 * and is what bounds a proving service's checks.
 */
import { getCurveFromName, utils } from "ffjavascript";
import type { BnCurve, Element } from "../bn254.js";
import type { CurveAccel } from "../native.js";

type Coords = (bigint | string)[];
interface Groth16Key {
  curve?: string;
  IC: Coords[];
  vk_alpha_1: Coords;
  vk_beta_2: Coords[];
  vk_gamma_2: Coords[];
  vk_delta_2: Coords[];
}
interface Groth16Proof {
  pi_a: Coords;
  pi_b: Coords[];
  pi_c: Coords;
}

let single: Promise<BnCurve> | undefined;

/** ffjavascript's one-thread curve: only a few point additions happen in it, and no worker starts. */
function curve(): Promise<BnCurve> {
  single ??= getCurveFromName("bn128", true) as Promise<BnCurve>;
  return single;
}

/** snarkjs's verdict on a Groth16 proof, the pairing check on `accel`. Throws where snarkjs throws (a key or proof it cannot read). */
export async function verifyGroth16Native(accel: CurveAccel, vkIn: unknown, signalsIn: readonly string[], proofIn: unknown): Promise<boolean> {
  const c = await curve();
  const { G1, G2 } = c;
  // ffjavascript's fromObject reads bigints: decimal strings as snarkjs's files hold them are converted first, as snarkjs does.
  const vk = utils.unstringifyBigInts(vkIn) as Groth16Key;
  const proof = utils.unstringifyBigInts(proofIn) as Groth16Proof;
  if (vk.curve !== undefined && vk.curve !== "bn128") throw new Error(`a key for ${vk.curve}, not bn128`);
  const signals = signalsIn.map((s) => BigInt(s));
  if (signals.some((s) => s < 0n || s >= c.Fr.p)) return false;
  if (vk.IC.length !== signals.length + 1) throw new Error("the key's IC and the public signals differ in number");
  const n8 = G1.F.n8 * 2;
  const bases = new Uint8Array(n8 * signals.length);
  const scalars = new Uint8Array(32 * signals.length);
  signals.forEach((s, i) => {
    G1.toRprLEM(bases, i * n8, G1.fromObject(vk.IC[i + 1]!));
    for (let b = 0, v = s; b < 32; b++, v >>= 8n) scalars[32 * i + b] = Number(v & 0xffn);
  });
  const cpub = G1.add(accel.msm(1, bases, scalars), G1.fromObject(vk.IC[0]!));
  const piA = G1.fromObject(proof.pi_a);
  const piB = G2.fromObject(proof.pi_b);
  const piC = G1.fromObject(proof.pi_c);
  if (!(G1.isValid(piA) && G2.isValid(piB) && G1.isValid(piC))) return false;
  const pairs: [Element, Element][] = [
    [G1.neg(piA), piB],
    [cpub, G2.fromObject(vk.vk_gamma_2)],
    [piC, G2.fromObject(vk.vk_delta_2)],
    [G1.fromObject(vk.vk_alpha_1), G2.fromObject(vk.vk_beta_2)],
  ];
  const bytes = new Uint8Array(pairs.length * 192);
  pairs.forEach(([p, q], i) => {
    G1.toRprLEM(bytes, 192 * i, p);
    G2.toRprLEM(bytes, 192 * i + 64, q);
  });
  return accel.pairingCheck(bytes);
}
