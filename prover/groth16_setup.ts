/**
 * Groth16 keys for a compiled model: the circuit-specific phase 2 on top of a powers-of-tau
 * file, with one contribution from this machine's randomness so delta is not the generator.
 */
import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../core/errors.js";
import type { SystemKeys } from "./keys.js";

const quiet = { info() {}, debug() {}, warn() {}, error() {} };

export async function groth16Setup(r1csFile: string, ptauFile: string, zkeyFile: string): Promise<SystemKeys> {
  const initial = `${zkeyFile}.init-${process.pid}`;
  try {
    const t0 = performance.now();
    const res = await snarkjs.zKey.newZKey(r1csFile, ptauFile, initial, quiet);
    // snarkjs reports some failures (ptau too small, wrong curve) by returning -1, not throwing.
    if (res === -1 || res === undefined) {
      throw new ZkmlError("BAD_PTAU", `snarkjs could not set up ${r1csFile} with ${ptauFile}`, "the ptau file may be too small or not prepared for phase 2");
    }
    const t1 = performance.now();
    await snarkjs.zKey.contribute(initial, zkeyFile, "zkml local contribution", randomBytes(32).toString("hex"), quiet);
    const t2 = performance.now();
    const verificationKey = await snarkjs.zKey.exportVerificationKey(await readFile(zkeyFile));
    const t3 = performance.now();
    return { zkeyFile, verificationKey, timingsMs: { newZkey: t1 - t0, contribute: t2 - t1, exportVk: t3 - t2 } };
  } finally {
    await rm(initial, { force: true });
  }
}
