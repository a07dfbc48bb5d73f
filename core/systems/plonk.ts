/**
 * PLONK: universal keys straight from the powers of tau (no per-circuit ceremony), at the price
 * of a 24-word proof and costlier verification. Its gates have fan-in 2, so circom's free linear
 * combinations are not free here: the ptau is sized by plonk_gates.ts.
 */
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../errors.js";
import { fieldWords, g1, QUIET, universalKeys, verdict, type ProofBackend, type ProofResult } from "./backend.js";
import { circuitPower, plonkGateCount } from "./plonk_gates.js";

export const plonk: ProofBackend = {
  solidityEnum: 1,
  proofWords: 24,
  phase2: false,
  templateContract: "PlonkVerifier",
  solidityChecksSignals: false,
  requiredPower: async (c) => circuitPower(plonkGateCount(await c.r1csBytes()).plonkGates),
  setup: (r1csFile, ptauFile, zkeyFile) =>
    universalKeys(zkeyFile, async () => {
      const errors: string[] = [];
      // snarkjs reports a too-small ptau by logging an error and returning -1.
      const res = await snarkjs.plonk.setup(r1csFile, ptauFile, zkeyFile, { ...QUIET, error: (m: string) => errors.push(m) });
      if (res === -1) throw new ZkmlError("BAD_PTAU", `snarkjs plonk setup of ${r1csFile} failed: ${errors.join("; ")}`, "pass a larger --ptau");
    }),
  prove: (zkey, witness) => snarkjs.plonk.prove(zkey, witness) as Promise<ProofResult>,
  verify: (vk, signals, proof) => verdict(snarkjs.plonk.verify, vk, signals, proof),
  // snarkjs plonk_exportsoliditycalldata.js's order.
  wordPaths: [
    ...["A", "B", "C", "Z", "T1", "T2", "T3", "Wxi", "Wxiw"].flatMap(g1),
    ...["eval_a", "eval_b", "eval_c", "eval_s1", "eval_s2", "eval_zw"].map((e) => [e]),
  ],
  scalarWords: 6,
  words: (proof) => fieldWords("PLONK", proof, plonk.wordPaths),
  verifyProofArgs: (words, pub) => [[...words], [...pub]],
};
