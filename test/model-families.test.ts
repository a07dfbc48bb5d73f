/**
 * The bench models of the new model families, end to end through the SDK as a user runs them:
 * the gradient-boosted tree ensemble (examples/appraisal-gbt) and the LSTM (examples/lstm) compile,
 * pass `zkml check` (every wire pinned), set up, prove, verify off-chain and on-chain (the
 * in-process Hardhat chain), and a proof with a changed output is refused on-chain.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkCircuit,
  compileModel,
  computeContext,
  connectInProcessChain,
  deployVerifier,
  InferenceProver,
  readInputFile,
  readVerifierArtifact,
  releaseCurves,
  setupModel,
  submitInference,
  verifyProofFile,
} from "../src/index.js";

const work = await mkdtemp(path.join(os.tmpdir(), "zkml-families-"));
afterAll(async () => {
  await releaseCurves();
  await rm(work, { recursive: true, force: true });
});

for (const name of ["appraisal-gbt", "lstm"]) {
  describe(`bench model ${name}`, () => {
    it("compiles, is fully pinned, proves, and verifies off-chain and on-chain", async () => {
      const src = path.join("examples", name);
      const dir = path.join(work, name);
      const c = await compileModel(path.join(src, `${name}.onnx`), { outDir: dir, calibrationFile: path.join(src, "calibration.json") });
      expect(c.fidelity!.argmaxAgreement).toBe(1);
      const check = await checkCircuit(dir);
      expect(check.satisfied).toBe(true);
      expect(check.problems).toEqual([]);
      await setupModel(dir);
      const prover = await InferenceProver.open(dir);
      const chain = await connectInProcessChain();
      try {
        const artifact = await readVerifierArtifact(dir);
        const { address } = await deployVerifier(chain.signer, artifact);
        const sender = await chain.signer.getAddress();
        const value = computeContext({ chainId: chain.chainId, contract: address, sender, nonce: 1n });
        const { proof } = await prover.prove(await readInputFile(path.join(src, "input.json")), {
          value,
          chainId: chain.chainId,
          contract: address,
          sender,
          nonce: 1n,
        });
        expect((await verifyProofFile(dir, proof)).valid).toBe(true);
        expect((await submitInference(chain.signer, address, artifact.abi, proof, 1n)).valid).toBe(true);
        // The same proof with its commitment changed is refused: the output it commits to is what was proven.
        const forged = { ...proof, publicSignals: [(BigInt(proof.publicSignals[0]!) + 1n).toString(), ...proof.publicSignals.slice(1)] };
        expect((await submitInference(chain.signer, address, artifact.abi, forged, 2n)).valid).toBe(false);
      } finally {
        await chain.close();
      }
    });
  });
}
