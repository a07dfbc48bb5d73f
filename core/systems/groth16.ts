/**
 * Groth16: the smallest proof (8 words) and cheapest verification, with a circuit-specific
 * phase 2 on top of a powers-of-tau file. zkml's setup adds one contribution from this
 * machine's randomness so delta is not the generator; `zkml contribute` adds more.
 */
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../errors.js";
import { groth16Prover } from "./groth16_prover.js";
import { verifyGroth16Native } from "./groth16_verify.js";
import { fieldWords, QUIET, verdict, type ProofBackend, type ProofResult } from "./backend.js";

function entropy(): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");
}

export const groth16: ProofBackend = {
  solidityEnum: 0,
  proofWords: 8,
  phase2: true,
  templateContract: "Groth16Verifier",
  solidityChecksSignals: true,
  // snarkjs zkey new's rule: 2^p > constraints + public signals.
  requiredPower: async ({ constraints, nPublic }) => Math.max(1, Math.floor(Math.log2(constraints + nPublic)) + 1),
  async setup(r1csFile, ptauFile, zkeyFile) {
    // The initial key stays in memory: no temporary file to clean up after a failure.
    const initial = { type: "mem" as const };
    const t0 = performance.now();
    const res = await snarkjs.zKey.newZKey(r1csFile, ptauFile, initial, QUIET);
    // snarkjs reports some failures (ptau too small, wrong curve) by returning -1, not throwing.
    if (res === -1 || res === undefined) {
      throw new ZkmlError("BAD_PTAU", `snarkjs could not set up ${r1csFile} with ${ptauFile}`, "the ptau file may be too small or not prepared for phase 2");
    }
    const t1 = performance.now();
    await snarkjs.zKey.contribute(initial, zkeyFile, "zkml local contribution", entropy(), QUIET);
    const t2 = performance.now();
    const verificationKey = await snarkjs.zKey.exportVerificationKey(zkeyFile);
    return { zkeyFile, verificationKey, timingsMs: { newZkey: t1 - t0, contribute: t2 - t1, exportVk: performance.now() - t2 } };
  },
  prove: (zkey, witness) => snarkjs.groth16.prove(zkey, witness) as Promise<ProofResult>,
  warmProver: groth16Prover,
  verify: (vk, signals, proof, accel) =>
    accel
      ? verdict((k: unknown, s: string[], p: unknown) => verifyGroth16Native(accel, k, s, p), vk, signals, proof)
      : verdict(snarkjs.groth16.verify, vk, signals, proof),
  // pi_b's G2 coordinates go imaginary part first, as the pairing precompile takes them.
  wordPaths: [
    ["pi_a", 0],
    ["pi_a", 1],
    ["pi_b", 0, 1],
    ["pi_b", 0, 0],
    ["pi_b", 1, 1],
    ["pi_b", 1, 0],
    ["pi_c", 0],
    ["pi_c", 1],
  ],
  scalarWords: 0,
  words: (proof) => fieldWords("Groth16", proof, groth16.wordPaths),
  verifyProofArgs(words, pub) {
    const [a0, a1, b00, b01, b10, b11, c0, c1] = words;
    return [
      [a0, a1],
      [
        [b00, b01],
        [b10, b11],
      ],
      [c0, c1],
      [...pub],
    ];
  },
};
