/**
 * FFLONK keys for a compiled model: universal like PLONK, but the prover commits to combined
 * polynomials of degree up to 9n, so the ptau must hold 9 times the circuit's domain of G1
 * powers (2^3 more than PLONK needs).
 */
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../core/errors.js";
import { circuitPower, plonkGateCount } from "./plonk_gates.js";
import type { SystemKeys } from "./keys.js";

/** snarkjs: domain = 2^max(3, log2(gates + 1) + 1); needs 9·domain + 18 ≤ 2^(p+1) - 1 G1 powers. */
export async function fflonkRequiredPower(r1csFile: string): Promise<number> {
  const { plonkGates } = await plonkGateCount(r1csFile);
  return circuitPower(plonkGates + 2) + 3;
}

export async function fflonkSetup(r1csFile: string, ptauFile: string, zkeyFile: string): Promise<SystemKeys> {
  const t0 = performance.now();
  try {
    await snarkjs.fflonk.setup(r1csFile, ptauFile, zkeyFile, { info() {}, debug() {}, warn() {}, error() {} });
  } catch (e) {
    throw new ZkmlError("BAD_PTAU", `snarkjs fflonk setup of ${r1csFile} failed: ${(e as Error).message}`, "pass a larger --ptau");
  }
  const t1 = performance.now();
  const verificationKey = await snarkjs.zKey.exportVerificationKey(await readFile(zkeyFile));
  return { zkeyFile, verificationKey, timingsMs: { keys: t1 - t0, exportVk: performance.now() - t1 } };
}
