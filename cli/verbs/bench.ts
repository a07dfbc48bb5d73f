import path from "node:path";
import { BUNDLED_MODELS, runBench } from "../../bench/run.js";
import { parseProofSystem, ZkmlError, type ProofSystem } from "../../src/index.js";
import { intArg, loadOptional, str, type Verb, type VerbContext, options } from "../io.js";
import type { ModelSpec } from "../../bench/cell.js";

async function benchService(ctx: VerbContext): Promise<number> {
  const workerCounts = (str(ctx, "workers") ?? "1,2,4").split(",").map((w) => Number(w.trim()));
  if (!workerCounts.every((w) => Number.isSafeInteger(w) && w >= 1 && w <= 64))
    throw new ZkmlError("USAGE", "--workers: a comma-separated list of counts, e.g. 1,2,4");
  // Loaded here: the service's packages are optional peers, needed by this bench only.
  const { runServiceBench } = await loadOptional("zkml bench service", () => import("../../bench/service.js"));
  const { result, jsonFile, markdownFile, svgFile } = await runServiceBench({
    ...(str(ctx, "model") && { modelDir: str(ctx, "model") }),
    workerCounts: [...workerCounts].sort((a, b) => a - b),
    clients: intArg(ctx, "clients", 8, 1),
    proofs: intArg(ctx, "proofs", 24, 1),
    noops: intArg(ctx, "noops", 400, 1),
    ...(str(ctx, "results") && { resultsDir: str(ctx, "results") }),
    progress: (m) => process.stderr.write(`  … ${m}\n`),
  });
  for (const p of result.proofs)
    ctx.say(
      `${p.workers} worker(s): ${p.perMinute.toFixed(1)} proofs/min, latency p50 ${(p.latencyMs.p50 / 1000).toFixed(2)} s, p95 ${(p.latencyMs.p95 / 1000).toFixed(2)} s, p99 ${(p.latencyMs.p99 / 1000).toFixed(2)} s`,
    );
  ctx.say(
    `queue overhead: ${(result.noop.wallMs / result.noop.jobs).toFixed(1)} ms of wall per no-op job (${result.noop.perMinute.toFixed(0)}/min); the API's check of a proof ${result.apiCheckMs.toFixed(1)} ms`,
  );
  ctx.say(`results → ${jsonFile}, ${markdownFile}, ${svgFile}`);
  ctx.result({ ...result, jsonFile, markdownFile, svgFile });
  return 0;
}

export const benchVerb: Verb = {
  name: "bench",
  usage:
    "zkml bench [model.onnx --input FILE [--calibration FILE] [--private-weights]] [--systems LIST] [--quick] [--runs N] [--results DIR] [--json]\n       zkml bench service [--model DIR] [--workers 1,2,4] [--clients N] [--proofs N] [--noops N] [--results DIR]",
  help: `Compiles, sets up, proves (warm in-process and as a cold \`zkml prove\` process), verifies and
submits to an in-process Hardhat chain each model, and times float inference with onnxruntime-node.
Without a model: the bundled tiny MLP (Groth16, PLONK, FFLONK) and MNIST MLP (Groth16).
Writes bench/results/<date>-<machine>.json and .md (or --results DIR).

  --quick      1 cold run, 3 warm runs, no FFLONK (under 5 minutes here)
  --systems L  comma-separated subset of groth16,plonk,fflonk (a model passed on the command
               line is measured with each; default groth16)
  --runs N     warm runs per measurement (default 5; cold runs: 3)
  --input FILE, --calibration FILE   for a model passed on the command line

Also: gas of each system's bare snarkjs verifier against the number of public signals (1..64;
--quick: Groth16 only, 1..8),
with a fitted line and the EIP-1108 floor, drawn as an SVG beside the results.

And a size sweep: dense networks of growing width (--quick: 3 sizes, else 6, up to 784-64-10),
prove time and peak memory against constraints with fitted slopes, and a chart.

And throughput: proofs per minute of the last model with 1, 2 and 4 proving processes.

And zkml vs naive: each bundled model (--quick: the tiny MLP) is measured a second time with
\`zkml compile --weights private\` (every multiply a constraint, weights range-checked and
committed), side by side, with the ratios drawn as a chart. A model passed on the command line
gets that second cell with --private-weights (it costs about 10 constraints per weight).

zkml bench service: a load test of the proving service on loopback (needs redis-server): the
API, 1, 2 and 4 worker processes, --clients concurrent clients (default 8) proving --proofs MNIST
MLP inferences (default 24) for each, and --noops no-op jobs (default 400) for the queue's own
cost; proofs/min, p50/p95/p99 latency and a projection for 1–64 machines (docs/SERVICE.md).`,
  options: options(["runs", "input", "calibration", "results", "systems", "model", "workers", "clients", "proofs", "noops"], ["quick", "private-weights"]),
  async run(ctx) {
    if (ctx.positionals[0] === "service") return benchService(ctx);
    const quick = Boolean(ctx.values.quick);
    const runs = str(ctx, "runs") ? Number(str(ctx, "runs")) : quick ? 3 : 5;
    if (!Number.isInteger(runs) || runs < 1) throw new ZkmlError("USAGE", "--runs must be a positive integer");
    let models: ModelSpec[] = BUNDLED_MODELS;
    let privateWeights = quick ? ["tiny-mlp"] : BUNDLED_MODELS.map((m) => m.name);
    const systemsText = str(ctx, "systems");
    const systems = systemsText ? systemsText.split(",").map((x) => parseProofSystem(x.trim())) : quick ? (["groth16", "plonk"] as ProofSystem[]) : undefined;
    if (ctx.positionals.length) {
      const input = str(ctx, "input");
      if (!input) throw new ZkmlError("USAGE", "bench: a model on the command line needs --input FILE (one sample to prove)");
      models = ctx.positionals.map((onnx) => ({
        name: path.basename(onnx).replace(/\.onnx$/i, ""),
        onnx,
        input,
        calibration: str(ctx, "calibration"),
        systems: systems ?? ["groth16"],
      }));
      privateWeights = ctx.values["private-weights"] ? models.map((m) => m.name) : [];
    }
    const { result, jsonFile, markdownFile, svgFile, naiveSvg } = await runBench({
      models,
      systems,
      curveSystems: quick ? ["groth16"] : (systems ?? ["groth16", "plonk", "fflonk"]),
      privateWeights,
      runs,
      coldRuns: quick ? 1 : 3,
      signalCounts: quick ? [1, 2, 4, 8] : [1, 2, 4, 8, 16, 32, 64],
      throughputWorkers: [1, 2, 4],
      sweepSizes: quick
        ? [
            [16, 16, 4],
            [64, 32, 10],
            [196, 32, 10],
          ]
        : [
            [16, 16, 4],
            [64, 32, 10],
            [196, 32, 10],
            [392, 32, 10],
            [784, 32, 10],
            [784, 64, 10],
          ],
      resultsDir: str(ctx, "results"),
      progress: (m) => process.stderr.write(`  … ${m}\n`),
    });
    for (const c of result.cells) {
      ctx.say(
        `${c.model} (${c.system}, weights ${c.weights}): ${c.constraints} constraints, prove ${c.warm.proveMs.median.toFixed(0)} ms warm, gas ${c.gas.verifyInferenceFreshWord}${c.overhead === undefined ? "" : `, ${Math.round(c.overhead)}× float inference`}`,
      );
    }
    for (const p of result.throughput?.points ?? [])
      ctx.say(`throughput ${result.throughput!.model}: ${p.workers} worker(s) → ${p.proofsPerMinute.toFixed(1)} proofs/min`);
    const sweep = result.sizeSweep;
    if (sweep)
      ctx.say(
        `prove ≈ ${Math.round(sweep.proveFit.intercept)} ms + ${(sweep.proveFit.slope * 1000).toFixed(1)} ms per 1k constraints (${sweep.points.length} sizes)`,
      );
    const curve = result.gasVsPublicSignals;
    for (const c of curve?.systems ?? [])
      ctx.say(`${c.system} verifier gas ≈ ${Math.round(c.fit.intercept)} + ${Math.round(c.fit.slope)} × public signals (${c.points.length} points)`);
    for (const r of result.privateVsConstants) {
      ctx.say(
        `${r.model}: private weights cost ${(r.constraints[1] / r.constraints[0]).toFixed(1)}× the constraints, ${(r.proveMs[1] / r.proveMs[0]).toFixed(1)}× the prove time`,
      );
    }
    ctx.say(`results → ${[jsonFile, markdownFile, svgFile, naiveSvg].filter(Boolean).join(", ")}`);
    for (const e of result.errors) ctx.say(`FAILED: ${e}`);
    ctx.result({ ...result, jsonFile, markdownFile, svgFile, naiveSvg });
    return result.errors.length ? 1 : 0;
  },
};
