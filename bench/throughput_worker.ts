/**
 * One proving worker for the throughput measurement: loads the keys, proves once to warm up,
 * says it is ready, waits for the go signal, proves K times and reports when it finished.
 * Usage (from bench/throughput.ts): node --import tsx bench/throughput_worker.ts DIR INPUT K
 */
import { InferenceProver, readInputFile, releaseCurves } from "../src/index.js";

const [dir, input, count] = process.argv.slice(2);
const prover = await InferenceProver.open(dir!);
const values = await readInputFile(input!);
await prover.prove(values);
process.stdout.write(JSON.stringify({ ready: true }) + "\n");
await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
process.stdin.destroy(); // an open stdin would keep this process alive after the last proof
const start = Date.now();
for (let i = 0; i < Number(count); i++) await prover.prove(values);
process.stdout.write(JSON.stringify({ start, end: Date.now(), proofs: Number(count) }) + "\n");
await releaseCurves();
