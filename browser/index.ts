/**
 * zkml in the browser: the user's input never leaves the device. Loads a build folder over HTTP
 * (every file checked against its manifest), quantizes the input exactly as Node does, proves in
 * a Web Worker, checks the proof, and encodes it for the verifier contract. No Node built-ins:
 * bundles with Vite or esbuild as it is.
 *
 *   const prover = await BrowserProver.open("/models/mnist-mlp/");
 *   const { proof } = await prover.prove(pixels, contextFor(chainId, verifier, user, nonce));
 *   await submitInference(signer, verifier, prover.build.verifierAbi, proof, nonce);
 */
import { computeContext } from "../core/context.js";
import { checkedProofFile, type InferenceTarget, prepareInference } from "../core/inference.js";
import type { ContextDetails, ProofFile } from "../core/proof_file.js";
import { quantizeInput } from "../core/qmodel.js";
import { loadBuild, type BrowserBuild, type LoadOptions } from "./artifacts.js";
import type { WorkerReply, WorkerRequest } from "./prove_worker.js";

export { loadBuild, sha256Hex, type BrowserBuild, type LoadOptions } from "./artifacts.js";
export { computeContext, splitClassContext } from "../core/context.js";
export { quantizeInput, runReference, modelClass, dequantizeOutput, inputShapes, type QModel } from "../core/qmodel.js";
export { inferenceCalldata, submitInference, revertReason, type OnchainVerification } from "../verifier/chain.js";
export { encodeProof } from "../verifier/calldata.js";
export { revealedValues, type RevealedValues } from "../src/reveal.js";
export { ZkmlError, isZkmlError } from "../core/errors.js";
export type { ContextDetails, ProofFile };

export type ProveStage = "witness" | "prove" | "verify";

export interface BrowserProveResult {
  proof: ProofFile;
  /** The proof checked in the worker against the build's verification key. */
  verified: boolean;
  timingsMs: { witness: number; prove: number; verify: number; total: number };
}

/**
 * The context of a proof for `sender` to submit to `contract` on `chainId`, once, with `nonce`;
 * with `beneficiary`, for dApp contract `sender` to submit on that user's behalf (verifyInferenceFor).
 */
export function contextFor(chainId: bigint, contract: string, sender: string, nonce: bigint, beneficiary?: string): ContextDetails {
  const b = beneficiary === undefined ? {} : { beneficiary };
  return { value: computeContext({ chainId, contract, sender, nonce, ...b }), chainId, contract, sender, nonce, ...b };
}

/**
 * The context of a proof over chain data as of `snapshot`, for dApp contract `sender` to submit
 * on `beneficiary`'s behalf through verifyInferenceAt.
 */
export function contextAt(chainId: bigint, contract: string, sender: string, beneficiary: string, nonce: bigint, snapshot: bigint): ContextDetails {
  const p = { chainId, contract, sender, beneficiary, nonce, snapshot };
  return { value: computeContext(p), ...p };
}

/** A build's keys held by a proving Web Worker: the second proof onwards is warm. */
export class BrowserProver {
  /** Where each worker was started from, for the message when it does not load. */
  private static readonly workerUrls = new WeakMap<Worker, string>();
  private nextId = 1;
  /** Why the worker can take no more requests (it failed to load, or the prover was closed): later proofs are refused with it, not left waiting. */
  private failure: Error | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (r: Extract<WorkerReply, { type: "proved" }>) => void; reject: (e: Error) => void; onStage?: (s: ProveStage) => void }
  >();

  /** What the proofs are checked against and made for. */
  private readonly target: InferenceTarget;

  private constructor(
    readonly build: BrowserBuild,
    private readonly worker: Worker,
  ) {
    this.target = { model: build.model, ids: { modelId: build.modelId, vkey: build.vkeySha256 }, system: build.system, layout: build.layout };
    worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const m = e.data;
      if (m.type === "loaded") return;
      const p = m.id === undefined ? undefined : this.pending.get(m.id);
      if (!p) return;
      if (m.type === "stage") p.onStage?.(m.stage);
      else {
        this.pending.delete(m.id!);
        if (m.type === "proved") p.resolve(m);
        else p.reject(new Error(`proving failed: ${m.message}`));
      }
    };
    // The worker itself failed (its module did not load, it ran out of memory): no reply will come.
    worker.onerror = (e) =>
      this.failAll(
        new Error(
          e.message
            ? `the proving worker failed: ${e.message}`
            : `the proving worker did not load from ${BrowserProver.workerUrls.get(worker) ?? "?"}: is zkml/browser/worker (prove_worker.js) served there? (with esbuild and other bundlers that do not ship it, bundle zkml/browser/worker as an entry point of its own and pass its URL: BrowserProver.open(url, { workerUrl }))`,
        ),
      );
  }

  private failAll(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  /**
   * Load the build at `baseUrl` (checked file by file) and start its proving worker. Bundlers
   * that follow `new Worker(new URL(…, import.meta.url))` (Vite, webpack 5) ship the worker by
   * themselves; with one that does not (esbuild), bundle `zkml/browser/worker` as an entry point
   * of its own and pass its URL as `workerUrl`.
   */
  static async open(baseUrl: string, opts: LoadOptions & { workerUrl?: string | URL } = {}): Promise<BrowserProver> {
    const build = await loadBuild(baseUrl, opts);
    return BrowserProver.fromBuild(build, opts.workerUrl);
  }

  /** The prover of a build already loaded, its worker from `workerUrl` (default: beside this module). */
  static fromBuild(build: BrowserBuild, workerUrl?: string | URL): BrowserProver {
    // Written out as bundlers look for it (Vite and webpack find and ship the worker from this form).
    const worker =
      workerUrl === undefined
        ? new Worker(new URL("./prove_worker.ts", import.meta.url), { type: "module", name: "zkml-prover" })
        : new Worker(workerUrl, { type: "module", name: "zkml-prover" });
    BrowserProver.workerUrls.set(worker, workerUrl === undefined ? "prove_worker.js beside zkml/browser's module" : String(workerUrl));
    const load: WorkerRequest = { type: "load", system: build.system, wasm: build.wasm, zkey: build.zkey, verificationKey: build.verificationKey };
    worker.postMessage(load);
    return new BrowserProver(build, worker);
  }

  /** Prove one inference of `values` (float input, flat) bound to `context`. */
  async prove(values: readonly number[], context: ContextDetails = { value: 0n }, onStage?: (stage: ProveStage) => void): Promise<BrowserProveResult> {
    return this.proveQuantized(quantizeInput(this.build.model, values), context, onStage);
  }

  /**
   * Prove one inference of an input already quantized: the int8 values a consumer contract's
   * modelInput() returns for a model with a hashed input, read through the user's wallet.
   */
  async proveQuantized(input: readonly number[], context: ContextDetails = { value: 0n }, onStage?: (stage: ProveStage) => void): Promise<BrowserProveResult> {
    if (this.failure) throw this.failure;
    const t0 = performance.now();
    const prepared = prepareInference(this.build.model, input, context);
    const id = this.nextId++;
    const done = new Promise<Extract<WorkerReply, { type: "proved" }>>((resolve, reject) => this.pending.set(id, { resolve, reject, onStage }));
    const req: WorkerRequest = { type: "prove", id, input: prepared.signals };
    this.worker.postMessage(req);
    const r = await done;
    const proof = await checkedProofFile(this.target, prepared, r);
    return { proof, verified: r.verified, timingsMs: { ...r.ms, total: performance.now() - t0 } };
  }

  close(): void {
    this.worker.terminate();
    this.failAll(new Error("the prover was closed"));
  }
}
