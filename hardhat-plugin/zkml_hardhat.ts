/**
 * `hre.zkml`: zkml for Hardhat tests, scripts and tasks. Models are named as in the config;
 * signers are ethers v6 signers (hardhat-ethers' or any other). The SDK loads on first use, so
 * a Hardhat command that does not touch zkml pays nothing for it.
 */
import { getAddress } from "ethers/address";
import type { ContractTransactionReceipt, Provider, Signer, TransactionReceipt } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { sha256File } from "../core/manifest.js";
import type { CompileResult } from "../circuits/compile.js";
import type { ProofFile } from "../core/proof_file.js";
import type { InferenceProver } from "../src/prove.js";
import type { ZkmlModelConfig } from "./config.js";

type Sdk = typeof import("../src/index.js");
let sdk: Promise<Sdk> | undefined;
const loadSdk = (): Promise<Sdk> => (sdk ??= import("../src/index.js"));

/** How long the curve's worker threads outlive the last proof: they would keep `hardhat test` from exiting. */
const RELEASE_AFTER_MS = 300;

/** A long step's progress as lines: each new step, and its percentage at most every 2 s. */
function stepProgress(say: (line: string) => void, prefix: string): (message: string, fraction: number) => void {
  let last = "";
  let at = 0;
  return (message, fraction) => {
    const now = Date.now();
    if (message === last && now - at < 2000) return;
    [last, at] = [message, now];
    say(`${prefix} ${message} ${(100 * fraction).toFixed(0)}%`);
  };
}

export interface BuildOptions {
  /** Make it again even when the build folder is current. */
  force?: boolean;
  progress?: (message: string) => void;
}

export interface DeployedVerifier {
  model: string;
  address: string;
  /** The deployed contract's Solidity name (it carries the model's id: it changes with the weights). */
  contractName: string;
  gasUsed: bigint;
}

export interface ProveOptions {
  /** The verifier (or registry) the proof goes to. Default: the one deployVerifier recorded for this chain. */
  verifier?: string;
  /** Who will submit it: a signer (its address and chain are read) or an address. */
  sender: Signer | string;
  /** Where the chain id and the next nonce are read when `sender` is an address (default: the sender signer's provider). */
  provider?: Provider;
  /** The chain id (default: the provider's). */
  chainId?: bigint;
  /** Default: the first nonce the verifier has not seen used for this sender (and beneficiary). */
  nonce?: bigint;
  /** For verifyInferenceFor: the user a dApp contract (`sender`) submits the proof for. */
  beneficiary?: string;
}

export interface ProveForOptions {
  /** The user who proves and on whose behalf the dApp contract acts. */
  user: Signer | string;
  /** Where the chain id and the next nonce are read when `user` is an address (default: the user signer's provider). */
  provider?: Provider;
  /** The dApp contract that calls verifyInferenceFor(user, ...). */
  consumer: string;
  verifier?: string;
  nonce?: bigint;
}

/** The arguments of verifyInference (and, after the beneficiary, of verifyInferenceFor). */
export interface InferenceCalldata {
  proof: `0x${string}`;
  pubSignals: [bigint, bigint];
  nonce: bigint;
}

export interface InferenceEvent {
  modelId: string;
  /** The submitter: msg.sender of verifyInference, the calling contract of verifyInferenceFor. */
  sender: string;
  beneficiary?: string;
  nonce: bigint;
  commitment: bigint;
  class: number;
}

export class ZkmlHardhat {
  private inFlight = 0;
  private releaseTimer: NodeJS.Timeout | undefined;
  /** Verifiers deployed in this process, by model and chain: an in-process chain's are gone with it, whatever deployments.json says. */
  private readonly deployed = new Map<string, string>();
  /**
   * Each model's build, checked and its keys in memory, once per process: a test that proves
   * many times re-hashes no build folder and reloads no key. Dropped when build() remakes it.
   */
  private readonly provers = new Map<string, Promise<InferenceProver>>();

  constructor(private readonly hre: HardhatRuntimeEnvironment) {}

  /** The configured model `name`, or a typed error naming the ones there are. */
  model(name?: string): ZkmlModelConfig {
    const models = this.hre.config.zkml.models;
    const names = Object.keys(models);
    if (name === undefined || name === "") {
      if (names.length === 1) return models[names[0]!]!;
      throw new Error(`zkml: name a model (${names.length ? names.join(", ") : "none configured: add zkml.models to hardhat.config.ts"})`);
    }
    const m = models[name];
    if (!m) throw new Error(`zkml: no model "${name}" in the config's zkml.models (${names.join(", ") || "none"})`);
    return m;
  }

  /**
   * The model's build folder, compiled and set up: reused when its manifest matches the ONNX
   * and calibration files and the configured system, made again otherwise (or with force).
   */
  async build(name?: string, opts: BuildOptions = {}): Promise<string> {
    const m = this.model(name);
    if (await this.buildIfStale(m, opts)) this.provers.delete(m.name);
    return m.dir;
  }

  /**
   * Compiles the model unless its build folder's manifest matches the ONNX and calibration
   * files (or with force). Returns the compile result, or undefined when it was current.
   */
  async compile(name?: string, opts: BuildOptions = {}): Promise<CompileResult | undefined> {
    const m = this.model(name);
    const r = await this.compileIfStale(m, opts);
    if (r) this.provers.delete(m.name);
    return r;
  }

  /** Compile and set up what is stale; true when anything was made. */
  private buildIfStale(m: ZkmlModelConfig, opts: BuildOptions): Promise<boolean> {
    return this.withCurves(async () => {
      const compiled = await this.compileIfStale(m, opts);
      if (!compiled && !opts.force && (await this.setUp(m))) return false;
      opts.progress?.(`zkml: setting up ${m.name} (${m.system})`);
      const progress = opts.progress && stepProgress(opts.progress, `zkml: ${m.name}:`);
      await (await loadSdk()).setupModel(m.dir, { system: m.system, ...(m.ptau && { ptauFile: m.ptau }), ...(progress && { progress }) });
      return true;
    });
  }

  private async compileIfStale(m: ZkmlModelConfig, opts: BuildOptions): Promise<CompileResult | undefined> {
    if (!opts.force && (await this.compiledCurrent(m))) return undefined;
    opts.progress?.(`zkml: compiling ${m.name}`);
    const { compileModel } = await loadSdk();
    return compileModel(m.onnx, { outDir: m.dir, weights: m.weights, ...(m.calibration && { calibrationFile: m.calibration }), progress: opts.progress });
  }

  /** The model built (once per process) and its keys loaded. */
  private prover(m: ZkmlModelConfig): Promise<InferenceProver> {
    let p = this.provers.get(m.name);
    if (!p) {
      p = this.buildIfStale(m, {}).then(async () => (await loadSdk()).InferenceProver.open(m.dir));
      p.catch(() => this.provers.delete(m.name));
      this.provers.set(m.name, p);
    }
    return p;
  }

  /**
   * Runs `work`, which may start snarkjs's curve threads, and releases them once nothing of
   * zkml's has run for a moment: otherwise they keep `hardhat test` and scripts from exiting.
   */
  private async withCurves<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    clearTimeout(this.releaseTimer);
    try {
      return await work();
    } finally {
      if (--this.inFlight === 0) this.releaseTimer = setTimeout(() => void this.release(), RELEASE_AFTER_MS);
    }
  }

  private async compiledCurrent(m: ZkmlModelConfig): Promise<boolean> {
    const z = await loadSdk();
    try {
      const manifest = await z.readManifest(m.dir);
      const inputs = manifest.stages.compile?.inputs ?? {};
      if (inputs.model !== (await sha256File(m.onnx))) return false;
      return m.calibration ? inputs.calibration === (await sha256File(m.calibration)) : inputs.calibration === undefined;
    } catch {
      return false;
    }
  }

  private async setUp(m: ZkmlModelConfig): Promise<boolean> {
    const z = await loadSdk();
    try {
      return (await z.openReady(m.dir)).setupInfo.system === m.system;
    } catch {
      return false;
    }
  }

  /** Deploys the model's verifier (building it if needed) with `signer`; recorded for this chain. */
  async deployVerifier(name: string | undefined, signer: Signer, opts: { allowDevKeys?: boolean } = {}): Promise<DeployedVerifier> {
    const m = this.model(name);
    const ready = (await this.prover(m)).model;
    const z = await loadSdk();
    const artifact = await z.readVerifierArtifact(ready.dir);
    const d = await z.deployVerifier(signer, artifact, opts);
    const chainId = await chainOf(signer);
    this.deployed.set(`${m.name}@${chainId}`, d.address);
    await z.recordDeployment(ready.dir, chainId, {
      address: d.address,
      contract: artifact.contractName,
      txHash: d.txHash,
      vkey: ready.setup.outputs[z.FILES.vkey]!,
    });
    return { model: m.name, address: d.address, contractName: artifact.contractName, gasUsed: d.gasUsed };
  }

  /** The verifier of `name` on `chainId`: deployed by this process, or recorded in its build folder. */
  async verifierAddress(name: string | undefined, chainId: bigint): Promise<string> {
    const m = this.model(name);
    const here = this.deployed.get(`${m.name}@${chainId}`);
    if (here) return here;
    const z = await loadSdk();
    return z.deployedVerifier(m.dir, chainId, (await this.prover(m)).model.setup.outputs[z.FILES.vkey]!);
  }

  /** Proves one inference of model `name` on `input` (a flat or nested array, or an input file) for `opts`' context. */
  async prove(name: string | undefined, input: readonly unknown[] | string, opts: ProveOptions): Promise<ProofFile> {
    const m = this.model(name);
    const z = await loadSdk();
    const sender = typeof opts.sender === "string" ? getAddress(opts.sender) : await opts.sender.getAddress();
    const provider = opts.provider ?? (typeof opts.sender === "string" ? undefined : opts.sender.provider);
    if (!provider && (opts.chainId === undefined || opts.nonce === undefined)) {
      throw new Error(`zkml: model ${m.name}: give a Signer or a provider to read the chain id and the next nonce from (or chainId and nonce)`);
    }
    const chainId = opts.chainId ?? (await provider!.getNetwork()).chainId;
    const verifier = opts.verifier ?? (await this.verifierAddress(m.name, chainId));
    const beneficiary = opts.beneficiary === undefined ? {} : { beneficiary: getAddress(opts.beneficiary) };
    const claim = z.nonceReservations(m.dir, { chainId, contract: verifier, sender, ...beneficiary });
    const nonce = opts.nonce ?? (await z.nextUnusedNonce(provider!, verifier, sender, beneficiary.beneficiary, claim));
    const p = { chainId, contract: verifier, sender, nonce, ...beneficiary };
    return this.withCurves(async () => {
      const prover = await this.prover(m);
      const shapes = z.inputShapes(prover.model.model);
      const values = typeof input === "string" ? await z.readInputFile(input, shapes) : z.inputValues({ input }, "the input array", shapes);
      return (await prover.prove(values, { value: z.computeContext(p), ...p })).proof;
    });
  }

  /** A proof `user` makes for dApp contract `consumer` to submit on their behalf (verifyInferenceFor). */
  async proveFor(name: string | undefined, input: readonly unknown[] | string, opts: ProveForOptions): Promise<ProofFile> {
    const user = typeof opts.user === "string" ? getAddress(opts.user) : await opts.user.getAddress();
    const provider = opts.provider ?? (typeof opts.user === "string" ? undefined : opts.user.provider);
    return this.prove(name, input, {
      sender: getAddress(opts.consumer),
      beneficiary: user,
      ...(provider && { provider }),
      ...(opts.verifier && { verifier: opts.verifier }),
      ...(opts.nonce !== undefined && { nonce: opts.nonce }),
    });
  }

  /** The arguments to submit `proof` with: verifyInference(proof, pubSignals, nonce), or after the beneficiary for verifyInferenceFor. */
  async calldata(proof: ProofFile): Promise<InferenceCalldata> {
    const z = await loadSdk();
    if (proof.context.nonce === undefined) throw new Error("zkml: the proof file names no nonce (made with a bare context value?)");
    const [bytes, signals, nonce] = await z.inferenceCalldata(proof, BigInt(proof.context.nonce));
    return { proof: bytes, pubSignals: [signals[0]!, signals[1]!], nonce };
  }

  /** The InferenceVerified and InferenceVerifiedFor events of a transaction receipt. */
  async events(receipt: TransactionReceipt | ContractTransactionReceipt | null): Promise<InferenceEvent[]> {
    if (!receipt) return [];
    const { Interface } = await import("ethers");
    const { IZKML_VERIFIER_ABI } = await import("../verifier/abi.js");
    const abi = new Interface(IZKML_VERIFIER_ABI);
    const out: InferenceEvent[] = [];
    for (const log of receipt.logs) {
      let e: ReturnType<typeof abi.parseLog>;
      try {
        e = abi.parseLog(log);
      } catch {
        continue;
      }
      if (e?.name === "InferenceVerified") {
        out.push({ modelId: e.args.modelId, sender: e.args.sender, nonce: e.args.nonce, commitment: e.args.commitment, class: Number(e.args.class) });
      } else if (e?.name === "InferenceVerifiedFor") {
        out.push({
          modelId: e.args.modelId,
          sender: e.args.caller,
          beneficiary: e.args.beneficiary,
          nonce: e.args.nonce,
          commitment: e.args.commitment,
          class: Number(e.args.class),
        });
      }
    }
    return out;
  }

  /** Releases the curve's worker threads now (they are also released on their own shortly after the last proof). */
  async release(): Promise<void> {
    clearTimeout(this.releaseTimer);
    await (await loadSdk()).releaseCurves();
  }
}

async function chainOf(signer: Signer): Promise<bigint> {
  if (!signer.provider) throw new Error("zkml: the signer has no provider (connect it to the network)");
  return (await signer.provider.getNetwork()).chainId;
}
