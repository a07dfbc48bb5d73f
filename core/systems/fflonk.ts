/**
 * FFLONK: universal keys like PLONK and cheaper verification, but the prover commits to
 * combined polynomials of degree up to 9n, so the ptau must hold 9 times the circuit's domain of
 * G1 powers (2^3 more than PLONK needs).
 */
import * as snarkjs from "snarkjs";
import { ZkmlError } from "../errors.js";
import { fieldWords, g1, QUIET, universalKeys, verdict, type ProofBackend, type ProofResult } from "./backend.js";
import { circuitPower, plonkGateCount } from "./plonk_gates.js";

const EVALUATIONS = ["ql", "qr", "qm", "qo", "qc", "s1", "s2", "s3", "a", "b", "c", "z", "zw", "t1w", "t2w", "inv"];

export const fflonk: ProofBackend = {
  solidityEnum: 2,
  proofWords: 24,
  phase2: false,
  templateContract: "FflonkVerifier",
  solidityChecksSignals: false,
  // snarkjs: domain = 2^max(3, log2(gates + 1) + 1); needs 9·domain + 18 ≤ 2^(p+1) - 1 G1 powers.
  requiredPower: async (c) => circuitPower(plonkGateCount(await c.r1csBytes()).plonkGates + 2) + 3,
  setup: (r1csFile, ptauFile, zkeyFile) =>
    universalKeys(zkeyFile, async () => {
      try {
        await snarkjs.fflonk.setup(r1csFile, ptauFile, zkeyFile, QUIET);
      } catch (e) {
        throw new ZkmlError("BAD_PTAU", `snarkjs fflonk setup of ${r1csFile} failed: ${(e as Error).message}`, "pass a larger --ptau", { cause: e });
      }
    }),
  prove: (zkey, witness) => snarkjs.fflonk.prove(zkey, witness) as Promise<ProofResult>,
  verify: (vk, signals, proof) => verdict(snarkjs.fflonk.verify, vk, signals, proof),
  // snarkjs fflonk_export_calldata.js's order.
  wordPaths: [...["C1", "C2", "W1", "W2"].flatMap((p) => g1(p).map((path) => ["polynomials", ...path])), ...EVALUATIONS.map((e) => ["evaluations", e])],
  scalarWords: EVALUATIONS.length,
  words: (proof) => fieldWords("FFLONK", proof, fflonk.wordPaths),
  // Its verifier takes the proof as bytes32[24].
  verifyProofArgs: (words, pub) => [words.map((w) => "0x" + w.toString(16).padStart(64, "0")), [...pub]],
};
