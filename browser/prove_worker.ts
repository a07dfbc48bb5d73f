/**
 * The proving Web Worker: holds the circuit's wasm and proving key, computes the witness and the
 * proof, and checks the proof against the verification key, off the page's main thread (the UI
 * stays responsive; snarkjs spreads its multiplications over further workers of its own).
 */
import { WitnessCalculatorBuilder } from "circom_runtime";
import type { ProofSystem } from "../core/proof_system.js";
import { backend } from "../core/systems/index.js";

export type WorkerRequest =
  | { type: "load"; system: ProofSystem; wasm: Uint8Array; zkey: Uint8Array; verificationKey: unknown }
  | { type: "prove"; id: number; input: Record<string, unknown> };

export type WorkerReply =
  | { type: "loaded" }
  | { type: "stage"; id: number; stage: "witness" | "prove" | "verify" }
  | {
      type: "proved";
      id: number;
      proof: Record<string, unknown> & { protocol: string; curve: string };
      publicSignals: string[];
      verified: boolean;
      ms: { witness: number; prove: number; verify: number };
    }
  | { type: "error"; id?: number; message: string };

interface WitnessCalculator {
  calculateWTNSBin(input: Record<string, unknown>, sanityCheck?: boolean): Promise<Uint8Array>;
}

let loaded: Extract<WorkerRequest, { type: "load" }> | undefined;
// Compiled once per circuit: the wasm compile is most of a cold witness.
let witness: Promise<WitnessCalculator> | undefined;
const post = (m: WorkerReply) => (self as unknown as Worker).postMessage(m);

self.onmessage = async (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  if (req.type === "load") {
    loaded = req;
    witness = WitnessCalculatorBuilder(req.wasm) as Promise<WitnessCalculator>;
    post({ type: "loaded" });
    return;
  }
  try {
    if (!loaded || !witness) throw new Error("no circuit loaded");
    // The system's backend, or a refusal of a name outside the table (never a default).
    const system = backend(loaded.system);
    const t0 = performance.now();
    post({ type: "stage", id: req.id, stage: "witness" });
    const wtns = await (await witness).calculateWTNSBin(req.input, true);
    const t1 = performance.now();
    post({ type: "stage", id: req.id, stage: "prove" });
    const { proof, publicSignals } = await system.prove({ type: "mem", data: loaded.zkey }, { type: "mem", data: wtns });
    const t2 = performance.now();
    post({ type: "stage", id: req.id, stage: "verify" });
    const verified = await system.verify(loaded.verificationKey, publicSignals, proof);
    const t3 = performance.now();
    post({ type: "proved", id: req.id, proof: proof as never, publicSignals, verified, ms: { witness: t1 - t0, prove: t2 - t1, verify: t3 - t2 } });
  } catch (err) {
    post({ type: "error", id: req.id, message: (err as Error).message ?? String(err) });
  }
};
