/**
 * PLONK keys for a compiled model: universal, straight from the powers of tau (no per-circuit
 * ceremony, so no contribution either).
 */
import { readFile } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../core/errors.js";
import { circuitPower, plonkGateCount } from "./plonk_gates.js";
import type { SystemKeys } from "./keys.js";

export async function plonkRequiredPower(r1csFile: string): Promise<number> {
  return circuitPower((await plonkGateCount(r1csFile)).plonkGates);
}

export async function plonkSetup(r1csFile: string, ptauFile: string, zkeyFile: string): Promise<SystemKeys> {
  const errors: string[] = [];
  const logger = { info() {}, debug() {}, warn() {}, error: (m: string) => errors.push(m) };
  const t0 = performance.now();
  // snarkjs reports a too-small ptau by logging an error and returning -1.
  const res = await snarkjs.plonk.setup(r1csFile, ptauFile, zkeyFile, logger);
  if (res === -1) throw new ZkmlError("BAD_PTAU", `snarkjs plonk setup of ${r1csFile} failed: ${errors.join("; ")}`, "pass a larger --ptau");
  const t1 = performance.now();
  const verificationKey = await snarkjs.zKey.exportVerificationKey(await readFile(zkeyFile));
  return { zkeyFile, verificationKey, timingsMs: { keys: t1 - t0, exportVk: performance.now() - t1 } };
}
