/**
 * For `npm run bench:browser`: times BrowserProver on a build folder, as a page would use it.
 * window.zkmlBench(buildUrl, input, runs) → the load time, the first proof and the warm ones.
 */
import { BrowserProver } from "../../browser/index.js";

async function zkmlBench(buildUrl: string, input: number[], runs: number) {
  const t0 = performance.now();
  const prover = await BrowserProver.open(buildUrl);
  const loadMs = performance.now() - t0;
  const proofs = [];
  for (let i = 0; i <= runs; i++) {
    const r = await prover.prove(input);
    if (!r.verified) throw new Error("a browser proof did not verify");
    proofs.push({ ...r.timingsMs, class: r.proof.output.class });
  }
  prover.close();
  return { loadMs, first: proofs[0]!, warm: proofs.slice(1) };
}

(window as unknown as { zkmlBench: typeof zkmlBench }).zkmlBench = zkmlBench;
document.body.dataset.ready = "1";
