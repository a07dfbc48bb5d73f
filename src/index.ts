/**
 * The zkml SDK: every stage, for dApp code, scripts and the CLI alike.
 *   compileModel → setupModel → InferenceProver.prove → verifyProofFile / deployVerifier + submitInference
 */
export { ZkmlError, isZkmlError, type ZkmlErrorCode } from "../core/errors.js";
export { computeContext, parseContext, splitClassContext, CONTEXT_BITS } from "../core/context.js";
export { readInputFile, readCalibrationFile, inputValues } from "../core/input.js";
export { explainContextMismatch, type ContextParams } from "../core/context.js";
export { FILES } from "../core/build_files.js";
export { readDeployment, recordDeployment, deployedVerifier, checkDeployedKey, type DeploymentRecord } from "./deployments.js";
export { writeFileAtomic, readManifest } from "../core/manifest.js";
export { releaseCurves } from "../core/curve.js";
export { setCurveBackend, curveBackendInfo, CURVE_BACKENDS, type CurveBackendChoice } from "../core/native.js";
export {
  runReference,
  quantizeInput,
  checkQuantizedInput,
  inputShapes,
  NO_CLASS,
  dequantize,
  isLinear,
  outputParts,
  outputValues,
  modelClass,
  dequantizeOutput,
  type QModel,
  type OutputPart,
  type NamedOutput,
} from "../core/qmodel.js";
export { describeLayer, layerOutFrac, type QLayer } from "../core/ops/index.js";
export { commitInference, layoutTag, type CommitmentLayout } from "../core/commitment.js";
export { computeStatement, statementTag, VISIBILITIES, type Statement, type StatementLayout, type Visibility } from "../core/statement.js";
export { quantizeRaw, type RawFeature } from "../core/raw_input.js";
export { FIELD_R } from "../core/field.js";
export type { ProofFile } from "../core/proof_file.js";
export { compileModel, type CompileOptions, type CompileResult } from "../circuits/compile.js";
export { importOnnxFile } from "../circuits/onnx/import.js";
export { quantizeGraph } from "../circuits/quantize.js";
export { measureFidelity, floatOutputs, type FidelityReport, type LayerFidelity } from "../circuits/fidelity.js";
export { writeSequential, type SequentialLayer, type SequentialSpec } from "../circuits/onnx/write_sequential.js";
export { setupModel, readVerifierArtifact, type SetupInfo } from "./setup.js";
export { openReady, type ReadyModel } from "./build.js";
export { contribute, verifySetup, type ContributeOptions, type SetupCheck } from "./contribute.js";
export { InferenceProver, type ContextDetails, type ProveResult } from "./prove.js";
export { verifyProofFile, requireValidProof, readProofFile, type VerifyResult } from "./verify.js";
export { inferenceTransaction, type InferenceTransaction } from "./transaction.js";
export { checkCircuit, type CircuitCheck } from "./check.js";
export {
  deployVerifier,
  LOCAL_CHAIN_IDS,
  nextUnusedNonce,
  submitInference,
  submitInferenceBatch,
  measureVerifierCallGas,
  inferenceCalldata,
  inferenceBatchCalldata,
  revertReason,
  type BatchEntry,
  type OnchainBatchVerification,
  type OnchainVerification,
} from "../verifier/chain.js";
export { verifyProofBatch, type BatchCheck } from "./batch.js";
export { encodeProof, proofWords, verifyProofArgs } from "../verifier/calldata.js";
export { PROOF_SYSTEMS, parseProofSystem, type ProofSystem } from "../core/proof_system.js";
export { PROOF_WORDS } from "../core/systems/index.js";
export {
  compileRegistry,
  deployRegistry,
  registerModel,
  readModel,
  readResult,
  submitToRegistry,
  submitBatchToRegistry,
  type ModelRegistration,
  type RegisteredModel,
} from "../verifier/registry.js";
export { registrationFor, deployAndRegister, type Registered } from "./registry.js";
export { nonceReservations, type NonceScope } from "./nonces.js";
export { publishBuild, type Published } from "./publish.js";
export { initProject, type InitOptions, type Initialized } from "./init.js";
export { writeFoundryProject, FORGE_DEPLOYED, FORGE_TEST, type FoundryProject } from "./foundry.js";
export { revealedValues, type RevealedValues } from "./reveal.js";
export { compileProjectContract, compileSolidity, type CompiledContract } from "../verifier/solidity.js";
export { connectRpc, connectInProcessChain, loadInProcessChain, type ChainConnection } from "../verifier/connect.js";
export { resolvePtau, requiredPower, ptauCacheDir } from "../prover/ptau/index.js";
