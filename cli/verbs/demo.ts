import path from "node:path";
import { packageFile } from "../../core/package_files.js";
import {
  compileModel,
  computeContext,
  connectInProcessChain,
  loadInProcessChain,
  deployVerifier,
  InferenceProver,
  measureVerifierCallGas,
  readInputFile,
  readVerifierArtifact,
  setupModel,
  submitInference,
  verifyProofFile,
} from "../../src/index.js";
import { ms, peakRssMb, str, type Verb } from "../io.js";

const EXAMPLE = packageFile("examples", "mnist");

export const demoVerb: Verb = {
  name: "demo",
  usage: "zkml demo [--out DIR] [--digit 0-9] [--json]",
  help: `Compiles the bundled MNIST classifier (examples/mnist/mnist-mlp.onnx), sets up Groth16 keys
(development keys drawn directly), proves one bundled digit, verifies the proof off-chain, deploys
the verifier to an in-process Hardhat chain and verifies the proof there in a transaction.

  --out DIR     build folder (default: build/mnist-mlp)
  --digit N     which bundled digit to prove (default 7)`,
  options: { out: { type: "string" }, digit: { type: "string" } },
  async run(ctx) {
    const out = str(ctx, "out") ?? "build/mnist-mlp";
    const digit = str(ctx, "digit") ?? "7";
    const timings: Record<string, number> = {};
    // Its last steps need the in-process chain: said now, not after a minute of compiling.
    await loadInProcessChain();
    ctx.say(`zkml demo: MNIST 784-32-10 MLP, digit ${digit}`);

    ctx.say(`[1/5] compile`);
    const c = await compileModel(path.join(EXAMPLE, "mnist-mlp.onnx"), {
      outDir: out,
      calibrationFile: path.join(EXAMPLE, "calibration.json"),
      progress: (m) => ctx.progress(m),
    });
    timings.compile = c.info.timingsMs.compile;
    ctx.say(`      ${c.info.constraints} constraints, ${ms(timings.compile)}`);

    ctx.say(`[2/5] setup (groth16)`);
    const s = await setupModel(out, { progress: (m, f) => ctx.progress(`${m} ${(100 * f).toFixed(0)}%`) });
    timings.setup = s.info.timingsMs.ptau + s.info.timingsMs.setup + s.info.timingsMs.solidity;
    ctx.say(`      development keys drawn directly (no ptau; forgeable by whoever ran this: local chains only), ${ms(s.info.timingsMs.setup)}`);

    ctx.say(`[3/5] deploy the verifier to an in-process Hardhat chain`);
    const chain = await connectInProcessChain();
    try {
      const artifact = await readVerifierArtifact(out);
      const deployment = await deployVerifier(chain.signer, artifact);
      const sender = await chain.signer.getAddress();
      const nonce = 0n;
      ctx.say(`      ${artifact.contractName} at ${deployment.address} (deploy gas ${deployment.gasUsed})`);

      ctx.say(`[4/5] prove`);
      const values = await readInputFile(path.join(EXAMPLE, "digits", `digit-${digit}.json`));
      const p = await InferenceProver.open(out);
      const context = {
        value: computeContext({ chainId: chain.chainId, contract: deployment.address, sender, nonce }),
        chainId: chain.chainId,
        contract: deployment.address,
        sender,
        nonce,
      };
      const proved = await p.prove(values, context);
      timings.witness = proved.timingsMs.witness;
      timings.prove = proved.timingsMs.prove;
      ctx.say(`      class ${proved.proof.output.class}; witness ${ms(timings.witness)}, prove ${ms(timings.prove)}`);

      ctx.say(`[5/5] verify`);
      const off = await verifyProofFile(out, proved.proof);
      timings.verify = off.ms;
      ctx.say(`      off-chain: ${off.valid ? "valid" : "INVALID"} (${ms(off.ms)})`);
      const verifierGas = await measureVerifierCallGas(chain.signer, deployment.address, artifact.abi, proved.proof);
      const on = await submitInference(chain.signer, deployment.address, artifact.abi, proved.proof, nonce);
      ctx.say(
        `      on-chain: ${on.valid ? "accepted" : `REJECTED (${on.reason})`}, class ${on.class}, tx gas ${on.gasUsed} (bare verifyProof call: ${verifierGas})`,
      );
      ctx.say(``);
      ctx.say(
        `class ${proved.proof.output.class} · ${c.info.constraints} constraints · ` +
          Object.entries(timings)
            .map(([k, v]) => `${k} ${ms(v)}`)
            .join(" · ") +
          ` · gas ${on.gasUsed}`,
      );
      ctx.result({
        constraints: c.info.constraints,
        class: proved.proof.output.class,
        verifiedOffchain: off.valid,
        verifiedOnchain: on.valid,
        gasUsed: on.gasUsed,
        verifierCallGas: verifierGas,
        deployGas: deployment.gasUsed,
        timingsMs: timings,
        peakRssMb: peakRssMb(),
        outDir: out,
      });
      return off.valid && on.valid ? 0 : 1;
    } finally {
      await chain.close();
    }
  },
};
