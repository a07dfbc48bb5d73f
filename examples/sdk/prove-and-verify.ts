// zkml's SDK from a Node script: compile a model, make keys, deploy its verifier to an in-process
// chain, prove one inference bound to that chain, contract, sender and nonce, and verify it off-
// and on-chain. Run in a project where zkml is installed (Node >= 22 for the in-process chain):
//   node prove-and-verify.ts [model.onnx calibration.json input.json]
import path from "node:path";
import {
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
} from "zkml";

const bundled = path.join("node_modules", "zkml", "examples", "tiny-mlp");
const [onnx, calibration, inputFile] =
  process.argv.length > 4
    ? process.argv.slice(2, 5)
    : [path.join(bundled, "tiny-mlp.onnx"), path.join(bundled, "calibration.json"), path.join(bundled, "input.json")];

const compiled = await compileModel(onnx!, { outDir: "build/sdk-example", calibrationFile: calibration! });
console.log(`compiled: ${compiled.info.constraints} constraints`);
await setupModel(compiled.outDir); // development keys: fine on a local chain, refused on public ones
const prover = await InferenceProver.open(compiled.outDir);

const chain = await connectInProcessChain();
try {
  const verifier = await deployVerifier(chain.signer, await readVerifierArtifact(compiled.outDir));
  const sender = await chain.signer.getAddress();
  const parts = { chainId: chain.chainId, contract: verifier.address, sender, nonce: 0n };
  const { proof } = await prover.prove(await readInputFile(inputFile!), { value: computeContext(parts), ...parts });
  const offchain = await verifyProofFile(compiled.outDir, proof);
  const onchain = await submitInference(chain.signer, verifier.address, (await readVerifierArtifact(compiled.outDir)).abi, proof, parts.nonce);
  console.log(
    `class ${proof.output.class}; off-chain ${offchain.valid ? "valid" : "INVALID"}; on-chain ${onchain.valid ? `accepted (gas ${onchain.gasUsed})` : `rejected: ${onchain.reason}`}`,
  );
  process.exitCode = offchain.valid && onchain.valid ? 0 : 1;
} finally {
  await chain.close();
  await releaseCurves(); // snarkjs's worker threads would keep the process alive
}
