/**
 * Graphs with several outputs: a shared trunk with two heads (one ending in Softmax), and a graph
 * whose hidden activation is also an output. Every output is proven and committed, reported by
 * its ONNX name, compared with onnxruntime, and the class comes from the designated output.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCircom } from "../circuits/codegen.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { layoutTag } from "../core/commitment.js";
import { toField } from "../core/field.js";
import { argmax, classRange, modelClass, NO_CLASS, quantizeInput, runReference, type QModel } from "../core/qmodel.js";
import { checkCircuit, compileModel, InferenceProver, releaseCurves, setupModel, verifyProofFile, type ProofFile } from "../src/index.js";
import { TestCircuit } from "./helpers/circuit.js";
import { runCli } from "./helpers/cli.js";
import { mulberry32, rawModel, type RawNode } from "./helpers/models.js";

const F = 6;
const rand = mulberry32(1801);
const u = (n: number, s: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * s);
const gemm = (name: string, outF: number, inF: number) => [
  { name: `${name}.w`, dims: [outF, inF], values: u(outF * inF, 1 / Math.sqrt(inF)) },
  { name: `${name}.b`, dims: [outF], values: u(outF, 0.1) },
];
const node = (op: string, inputs: string[], outputs: string[], attrs?: RawNode["attrs"]): RawNode => ({ op, inputs, outputs, ...(attrs && { attrs }) });

/** Trunk Gemm 6→8 → Relu; heads: "score" Gemm 8→2, "probs" Gemm 8→3 → Softmax (outputs in that order). */
const twoHeads = rawModel({
  inputShape: [1, F],
  outputShape: [],
  nodes: [
    node("Gemm", ["input", "trunk.w", "trunk.b"], ["t"], { transB: 1 }),
    node("Relu", ["t"], ["h"]),
    node("Gemm", ["h", "score.w", "score.b"], ["score"], { transB: 1 }),
    node("Gemm", ["h", "logits.w", "logits.b"], ["logits"], { transB: 1 }),
    node("Softmax", ["logits"], ["probs"], { axis: 1 }),
  ],
  initializers: [...gemm("trunk", 8, F), ...gemm("score", 2, 8), ...gemm("logits", 3, 8)],
  outputs: [
    { name: "score", shape: [1, 2] },
    { name: "probs", shape: [1, 3] },
  ],
});

/** Gemm 6→8 → Relu = "hidden" (an output, and read by the next Gemm) → Gemm 8→3 = "y". */
const hiddenToo = rawModel({
  inputShape: [1, F],
  outputShape: [],
  nodes: [
    node("Gemm", ["input", "a.w", "a.b"], ["pre"], { transB: 1 }),
    node("Relu", ["pre"], ["hidden"]),
    node("Gemm", ["hidden", "b.w", "b.b"], ["y"], { transB: 1 }),
  ],
  initializers: [...gemm("a", 8, F), ...gemm("b", 3, 8)],
  outputs: [
    { name: "hidden", shape: [1, 8] },
    { name: "y", shape: [1, 3] },
  ],
});

const samples = Array.from({ length: 32 }, () => u(F, 1));
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "zkml-multi-"));
  await writeFile(path.join(work, "calibration.json"), JSON.stringify({ samples }));
  await writeFile(path.join(work, "input.json"), JSON.stringify({ input: samples[3] }));
  await writeFile(path.join(work, "two-heads.onnx"), twoHeads);
  await writeFile(path.join(work, "hidden-too.onnx"), hiddenToo);
});

afterAll(async () => {
  await releaseCurves();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("several graph outputs", () => {
  it("imports each output by name, removes a head's Softmax and takes the class from that head", () => {
    const graph = importOnnx(twoHeads, "two-heads");
    expect(graph.outputs).toEqual([
      { name: "score", shape: [1, 2] },
      { name: "probs", shape: [1, 3], transform: "softmax" },
    ]);
    const m = quantizeGraph(graph, { samples });
    expect(m.output.parts!.map(({ name, offset, size }) => ({ name, offset, size }))).toEqual([
      { name: "score", offset: 0, size: 2 },
      { name: "probs", offset: 2, size: 3 },
    ]);
    expect(m.output.classPart).toBe(1);
    // Heads read by nothing else keep their exact accumulators; the trunk is requantized to int8.
    expect(m.layers.map((l) => l.op)).toEqual(["dense", "dense", "dense", "concat"]);
    expect(m.layers.slice(0, 3).map((l) => (l.op === "dense" ? l.requant !== null : undefined))).toEqual([true, false, false]);
    const q = quantizeInput(m, samples[0]!);
    const out = runReference(m, q).output;
    expect(modelClass(m, out)).toBe(argmax(out.slice(2, 5)));
  });

  it("takes an intermediate tensor that is also an output as it is, and --class-output chooses the class", () => {
    const graph = importOnnx(hiddenToo, "hidden-too");
    const byDefault = quantizeGraph(graph, { samples });
    expect(byDefault.output.parts!.map((p) => [p.name, p.size, p.bits])).toEqual([
      ["hidden", 8, 8],
      ["y", 3, byDefault.output.parts![1]!.bits],
    ]);
    expect(byDefault.output.classPart).toBe(0); // no Softmax/ArgMax: the first output of ≤ 255 values
    expect(quantizeGraph(graph, { samples, classOutput: "y" }).output.classPart).toBe(1);
    expect(() => quantizeGraph(graph, { samples, classOutput: "nope" })).toThrow(/not a graph output \(hidden, y\)/);
  });

  it("proves no class when no output has at most 255 values, and binds where each output ends", () => {
    const wide = rawModel({
      inputShape: [1, F],
      outputShape: [],
      nodes: [node("Gemm", ["input", "p.w", "p.b"], ["p"], { transB: 1 }), node("Gemm", ["input", "q.w", "q.b"], ["q"], { transB: 1 })],
      initializers: [...gemm("p", 300, F), ...gemm("q", 260, F)],
      outputs: [
        { name: "p", shape: [1, 300] },
        { name: "q", shape: [1, 260] },
      ],
    });
    const m = quantizeGraph(importOnnx(wide, "wide"), { samples });
    expect(m.output.classPart).toBeUndefined();
    expect(classRange(m)).toBeUndefined();
    expect(modelClass(m, runReference(m, quantizeInput(m, samples[0]!)).output)).toBe(NO_CLASS);
    expect(generateCircom(m)).toContain(`binding.cls <== ${NO_CLASS};`);
    // The layout tag tells [300, 260] from [260, 300] and from one output of 560 values.
    const layout = { inputSize: F, inputBits: 8, outputSize: 560, outputBits: 16 };
    const tags = new Set([layoutTag(layout), layoutTag({ ...layout, outputParts: [300, 260] }), layoutTag({ ...layout, outputParts: [260, 300] })]);
    expect(tags.size).toBe(3);
  });

  it("the circuit equals the reference on every output, and a forged value of the second output is rejected", async () => {
    const m: QModel = quantizeGraph(importOnnx(twoHeads, "two-heads"), { samples });
    const c = await TestCircuit.compile(generateCircom(m).split("\n").slice(1).join("\n"), "O1");
    const q = quantizeInput(m, samples[1]!);
    const w = await c.witness({ x: q.map((v) => toField(v)), ctx: 5n, blinding: 7n });
    expect(await c.check(w)).toBe(true);
    const ref = runReference(m, q);
    const join = m.layers.at(-1)!;
    if (join.op !== "concat") throw new Error("expected the outputs' join last");
    for (const [k, part] of join.parts.entries()) {
      ref.layers[part.from]!.forEach((v, j) => expect(c.getSigned(w, `a${part.from}[${j}]`), `output ${k} [${j}]`).toBe(BigInt(v)));
    }
    const second = `a${join.parts[1]!.from}[0]`;
    expect(await c.check(c.forge(w, { [second]: c.getSigned(w, second) + 1n }))).toBe(false);
    expect(await c.check(c.forge(w, { classContext: c.get(w, "classContext") ^ 1n }))).toBe(false);
  }, 120_000);

  it("compiles, proves and verifies end to end; every output matches onnxruntime; each is reported by name", async () => {
    const dir = path.join(work, "two-heads");
    const compiled = await compileModel(path.join(work, "two-heads.onnx"), { outDir: dir, calibrationFile: path.join(work, "calibration.json") });
    const f = compiled.fidelity!;
    expect(f.outputs!.map((o) => o.name)).toEqual(["score", "probs"]);
    for (const o of f.outputs!) expect(o.maxAbsError, o.name).toBeLessThan(0.1);
    expect(f.argmaxAgreement).toBeGreaterThanOrEqual(0.9);
    // Every wire pinned, the joined outputs and the class slice included.
    expect(await checkCircuit(dir)).toMatchObject({ satisfied: true, publicPinned: true, problems: [], counts: { unused: 0, undetermined: 0 } });
    await setupModel(dir);
    const prover = await InferenceProver.open(dir);
    const { proof } = await prover.prove(samples[3]!);
    expect(proof.output.parts!.map((p) => [p.name, p.shape, p.values.length])).toEqual([
      ["score", [1, 2], 2],
      ["probs", [1, 3], 3],
    ]);
    expect(proof.output.class).toBe(argmax(proof.output.parts![1]!.values));
    const ok = await verifyProofFile(dir, proof);
    expect(ok).toMatchObject({ valid: true, class: proof.output.class });
    expect(ok.outputs!.map((o) => o.name)).toEqual(["score", "probs"]);
    // The parts must be the slices of the committed values, names included.
    const swapped: ProofFile = structuredClone(proof);
    swapped.output.parts = [swapped.output.parts![1]!, swapped.output.parts![0]!];
    expect(await verifyProofFile(dir, swapped)).toMatchObject({ valid: false, checks: { fields: false, proof: true } });
    const edited: ProofFile = structuredClone(proof);
    edited.output.parts![0]!.values[0]! += 1;
    expect((await verifyProofFile(dir, edited)).valid).toBe(false);
  }, 300_000);

  it("works from the CLI: compile --class-output, prove, verify name every output", async () => {
    const dir = path.join(work, "hidden-too");
    const compiled = await runCli([
      "compile",
      path.join(work, "hidden-too.onnx"),
      "--out",
      dir,
      "--calibration",
      path.join(work, "calibration.json"),
      "--class-output",
      "y",
      "--json",
    ]);
    expect(compiled.code, compiled.stderr).toBe(0);
    expect(compiled.json()).toMatchObject({
      classOutput: "y",
      outputs: [
        { name: "hidden", shape: [1, 8] },
        { name: "y", shape: [1, 3] },
      ],
    });
    const bad = await runCli(["compile", path.join(work, "hidden-too.onnx"), "--out", path.join(work, "bad"), "--class-output", "hidden2"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--class-output hidden2 is not a graph output/);
    const setup = await runCli(["setup", dir]);
    expect(setup.code, setup.stderr).toBe(0);
    const out = path.join(work, "hidden-proof.json");
    const proved = await runCli(["prove", dir, "--input", path.join(work, "input.json"), "--out", out]);
    expect(proved.code, proved.stderr).toBe(0);
    expect(proved.stdout).toMatch(/hidden \[1,8\] \(dequantized\)/);
    const verified = await runCli(["verify", dir, out, "--json"]);
    expect(verified.code, verified.stderr).toBe(0);
    const v = verified.json();
    expect(v.outputs.map((o: { name: string }) => o.name)).toEqual(["hidden", "y"]);
    const proof = JSON.parse(await readFile(out, "utf8")) as ProofFile;
    expect(v.class).toBe(argmax(proof.output.parts![1]!.values));
  }, 300_000);
});
