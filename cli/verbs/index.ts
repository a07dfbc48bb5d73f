/** The CLI's verbs, in the order `zkml --help` lists them: a name, a line, and the module that runs it. */
import { loadOptional, type Verb } from "../io.js";

/** Each verb's module is loaded only when it runs: `zkml --help` and `--version` load no SDK. */
export interface VerbEntry {
  name: string;
  summary: string;
  load(): Promise<Verb>;
}

export const VERBS: VerbEntry[] = [
  {
    name: "init",
    summary: "write a starter project (Hardhat 3 + the plugin, a dApp contract and its test, an SDK script)",
    load: async () => (await import("./init.js")).initVerb,
  },
  {
    name: "compile",
    summary: "ONNX model → quantized model + circom circuit (r1cs, witness wasm)",
    load: async () => (await import("./compile.js")).compileVerb,
  },
  {
    name: "check",
    summary: "check that every wire of a compiled circuit is pinned (exit 0 sound, 1 not)",
    load: async () => (await import("./check.js")).checkVerb,
  },
  {
    name: "setup",
    summary: "proving/verifying keys (Groth16, PLONK or FFLONK) and the Solidity verifier for a build folder",
    load: async () => (await import("./setup.js")).setupVerb,
  },
  {
    name: "contribute",
    summary: "add a Groth16 phase-2 contribution (or a closing random beacon) to a build folder's key",
    load: async () => (await import("./setup.js")).contributeVerb,
  },
  {
    name: "prove",
    summary: "prove one inference: proof + public signals + the decoded result",
    load: async () => (await import("./prove.js")).proveVerb,
  },
  { name: "verify", summary: "verify a proof off-chain (exit 0 valid, 1 invalid)", load: async () => (await import("./verify.js")).verifyVerb },
  { name: "deploy", summary: "deploy the model's verifier contract to a JSON-RPC chain", load: async () => (await import("./chain.js")).deployVerb },
  {
    name: "deploy-registry",
    summary: "deploy a zkml model registry (one per chain serves every model)",
    load: async () => (await import("./chain.js")).deployRegistryVerb,
  },
  {
    name: "register",
    summary: "deploy a model's snarkjs verifier and register the model in a registry",
    load: async () => (await import("./chain.js")).registerVerb,
  },
  {
    name: "verify-onchain",
    summary: "submit a proof (or a batch: --batch) to a deployed verifier or the registry (exit 0 accepted, 1 rejected)",
    load: async () => (await import("./chain.js")).verifyOnchainVerb,
  },
  {
    name: "calldata",
    summary: "print the calldata of a proof's verifyInference transaction (for a wallet, multisig or cast)",
    load: async () => (await import("./calldata.js")).calldataVerb,
  },
  {
    name: "publish",
    summary: "copy what a web page needs to prove with a build (and nothing else) to a folder to serve",
    load: async () => (await import("./publish.js")).publishVerb,
  },
  {
    name: "foundry",
    summary: "write a Foundry project whose forge test checks the verifier with a proof",
    load: async () => (await import("./foundry.js")).foundryVerb,
  },
  {
    name: "demo",
    summary: "the whole pipeline on the bundled MNIST model, verified off-chain and on an in-process chain",
    load: async () => (await import("./demo.js")).demoVerb,
  },
  {
    name: "bench",
    summary: "measure cost and latency (constraints, times, memory, sizes, gas) for models × proof systems",
    load: async () => (await import("./bench.js")).benchVerb,
  },
  {
    name: "serve",
    summary: "run the proving service's HTTP API (jobs go to `zkml worker` processes through Redis)",
    load: async () => (await loadOptional("zkml serve", () => import("./service.js"))).serveVerb,
  },
  {
    name: "worker",
    summary: "prove jobs from the service's queue (run any number, on any number of machines)",
    load: async () => (await loadOptional("zkml worker", () => import("./service.js"))).workerVerb,
  },
  {
    name: "token",
    summary: "make an API token for `zkml serve` (its hash is stored; the token is shown once)",
    load: async () => (await loadOptional("zkml token", () => import("./service.js"))).tokenVerb,
  },
];
