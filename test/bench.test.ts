import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUNDLED_MODELS, runBench } from "../bench/run.js";

describe("zkml bench", () => {
  it("measures the tiny model end to end and writes sane JSON and Markdown", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "zkml-bench-test-"));
    const messages: string[] = [];
    const { result, jsonFile, markdownFile, svgFile, naiveSvg } = await runBench({
      models: BUNDLED_MODELS.filter((m) => m.name === "tiny-mlp"),
      // One system keeps this test short: PLONK and FFLONK cells are the same code with another
      // backend, and test/registry.test.ts proves and measures both.
      systems: ["groth16"],
      privateWeights: ["tiny-mlp"],
      runs: 2,
      coldRuns: 1,
      signalCounts: [1, 3, 6],
      sweepSizes: [
        [4, 4, 2],
        [24, 8, 3],
      ],
      throughputWorkers: [1, 2],
      resultsDir: dir,
      progress: (m) => messages.push(m),
    });
    expect(messages.some((m) => m.includes("tiny-mlp: prove"))).toBe(true);
    const saved = JSON.parse(await readFile(jsonFile, "utf8"));
    expect(saved.machine.cores).toBeGreaterThan(0);
    expect(saved.machine.packages.snarkjs).toMatch(/^\d+\.\d+\.\d+/);
    const [c, priv] = result.cells;
    expect(result.cells).toHaveLength(2);
    expect(c).toMatchObject({ model: "tiny-mlp", system: "groth16", weights: "constants", publicSignals: 2, proofBytes: 256 });
    expect(priv).toMatchObject({ model: "tiny-mlp", system: "groth16", weights: "private", publicSignals: 3, proofBytes: 256 });
    // 320 weights: at least a product and 8 range-check bits each on top of the constants circuit.
    expect(priv!.constraints - c!.constraints).toBeGreaterThanOrEqual(9 * (16 * 16 + 16 * 4));
    const [cmp] = result.privateVsConstants;
    expect(cmp).toMatchObject({ model: "tiny-mlp", constraints: [c!.constraints, priv!.constraints] });
    expect(cmp!.proveMs).toEqual([c!.warm.proveMs.median, priv!.warm.proveMs.median]);
    const naive = await readFile(naiveSvg!, "utf8");
    expect(naive.match(/<rect x=/g)).toHaveLength(5);
    expect(c!.constraints).toBeGreaterThan(100);
    expect(c!.warm.proveMs.runs).toBe(2);
    expect(c!.warm.proveMs.median).toBeGreaterThan(0);
    expect(c!.warm.proveMs.min).toBeLessThanOrEqual(c!.warm.proveMs.max);
    expect(c!.cold.wallMs.median).toBeGreaterThan(c!.warm.proveMs.min);
    expect(c!.cold.peakRssMb).toBeGreaterThan(50);
    // The pairing check alone costs 181k gas (EIP-1108); a fresh nonce word costs a new storage slot.
    expect(c!.gas.verifyProof).toBeGreaterThan(181_000);
    expect(c!.gas.verifyInferenceFreshWord).toBeGreaterThan(c!.gas.verifyInferenceSameWord);
    expect(c!.gas.verifyInferenceSameWord).toBeGreaterThan(c!.gas.verifyProof);
    expect(c!.calldataBytes).toBeGreaterThan(c!.proofBytes);
    expect(c!.inferenceMs!.median).toBeGreaterThan(0);
    expect(c!.overhead).toBeGreaterThan(1);
    const curve = result.gasVsPublicSignals!.systems[0]!;
    expect(curve.system).toBe("groth16");
    const floors = result.gasVsPublicSignals!;
    expect(curve.points.map((p) => p.publicSignals)).toEqual([1, 3, 6]);
    for (const p of curve.points) expect(p.gas).toBeGreaterThan(floors.txFloor);
    expect(curve.points[1]!.gas).toBeGreaterThan(curve.points[0]!.gas);
    expect(curve.points[2]!.gas).toBeGreaterThan(curve.points[1]!.gas);
    // Each public signal is one ecMul (6,000) + ecAdd (150) plus calldata and bookkeeping.
    expect(curve.fit.slope).toBeGreaterThan(6_150);
    expect(curve.fit.slope).toBeLessThan(12_000);
    expect(svgFile).not.toBeNull();
    const svg = await readFile(svgFile!, "utf8");
    expect(svg).toMatch(/^<svg /);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    const tp = result.throughput!;
    expect(tp.model).toBe("tiny-mlp");
    expect(tp.points.map((p) => [p.workers, p.proofs])).toEqual([
      [1, 2],
      [2, 4],
    ]);
    for (const p of tp.points) expect(p.proofsPerMinute).toBeGreaterThan(0);
    const sweep = result.sizeSweep!;
    expect(sweep.points.map((p) => p.widths)).toEqual([
      [4, 4, 2],
      [24, 8, 3],
    ]);
    expect(sweep.points[1]!.constraints).toBeGreaterThan(sweep.points[0]!.constraints);
    expect(sweep.points[1]!.parameters).toBe(24 * 8 + 8 + 8 * 3 + 3);
    for (const p of sweep.points) expect(p.proveMs.median).toBeGreaterThan(0);
    expect(Number.isFinite(sweep.proveFit.slope)).toBe(true);
    const md = await readFile(markdownFile, "utf8");
    expect(md).toContain("How cost grows");
    expect(md).toContain("zkml vs naive");
    expect(md).toContain("Least-squares fit");
    expect(md).toContain("| constraints |");
    expect(md).toContain(saved.machine.cpu);
  });
});
