/**
 * Polynomial fusion (circuits/fuse.ts, core/ops/poly.ts, core/ops/sumpool.ts): which chains
 * fuse and which must not, the fused integer semantics against the float model, and what it
 * costs in constraints, fused against unfused in the same run (the circuit == interpreter and
 * forged-witness checks of the fused layers are in cnn-ops and dag-ops).
 */
import { afterAll, describe, expect, it } from "vitest";
import { generateCircom } from "../circuits/codegen.js";
import { fusePolynomials } from "../circuits/fuse.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { encodeSequential } from "../circuits/onnx/write_sequential.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { releaseCurves } from "../core/curve.js";
import { runFloat, type Graph } from "../core/graph.js";
import { coefficientFrac } from "../core/ops/poly.js";
import { quantizeInput, runReference } from "../core/qmodel.js";
import { TestCircuit } from "./helpers/circuit.js";
import { mulberry32, rawModel, type RawNode } from "./helpers/models.js";

afterAll(releaseCurves);

const F = 4;
const rand = mulberry32(2026);
const u = (n: number, s: number) => Array.from({ length: n }, () => (rand() * 2 - 1) * s);

/** t = W x (a dense layer), then `nodes` reading t, with scalar constants `k<value>`. */
function graphOf(nodes: RawNode[], constants: number[] = []): Graph {
  const bytes = rawModel({
    inputShape: [1, F],
    outputShape: [1, F],
    nodes: [{ op: "Gemm", inputs: ["input", "w", "b"], outputs: ["t"], attrs: { transB: 1 }, name: "g" }, ...nodes],
    initializers: [
      { name: "w", dims: [F, F], values: u(F * F, 0.5) },
      { name: "b", dims: [F], values: u(F, 0.1) },
      ...constants.map((v) => ({ name: `k${v}`, dims: [], values: [v] })),
    ],
  });
  return importOnnx(bytes, "poly");
}

const polys = (g: Graph) => g.nodes.flatMap((n) => (n.op === "poly" ? [{ input: n.input, a: n.a, b: n.b, c: n.c }] : []));

describe("polynomial fusion: which chains become one poly node", () => {
  it("x·x + x, in either operand order, and x·x alone", () => {
    const sq: RawNode = { op: "Mul", inputs: ["t", "t"], outputs: ["sq"] };
    expect(polys(fusePolynomials(graphOf([sq, { op: "Add", inputs: ["sq", "t"], outputs: ["y"] }])))).toEqual([{ input: "t", a: 1, b: 1, c: 0 }]);
    expect(polys(fusePolynomials(graphOf([sq, { op: "Sub", inputs: ["t", "sq"], outputs: ["y"] }])))).toEqual([{ input: "t", a: -1, b: 1, c: 0 }]);
    expect(polys(fusePolynomials(graphOf([{ op: "Mul", inputs: ["t", "t"], outputs: ["y"] }])))).toEqual([{ input: "t", a: 1, b: 0, c: 0 }]);
  });

  it("a·x² + b·x + c through Mul/Add by constants (as PyTorch exports 0.5·x² − 0.75·x + 0.125)", () => {
    const g = graphOf(
      [
        { op: "Mul", inputs: ["t", "t"], outputs: ["sq"] },
        { op: "Mul", inputs: ["sq", "k0.5"], outputs: ["asq"] },
        { op: "Mul", inputs: ["t", "k-0.75"], outputs: ["bx"] },
        { op: "Add", inputs: ["asq", "bx"], outputs: ["s"] },
        { op: "Add", inputs: ["s", "k0.125"], outputs: ["y"] },
      ],
      [0.5, -0.75, 0.125],
    );
    const fused = fusePolynomials(g);
    expect(polys(fused)).toEqual([{ input: "t", a: 0.5, b: -0.75, c: 0.125 }]);
    expect(fused.nodes.map((n) => n.op)).toEqual(["dense", "poly"]);
    // Same float function as the chain it replaces.
    for (let k = 0; k < 4; k++) {
      const x = u(F, 1);
      const [a, b] = [runFloat(g, x).at(-1)!, runFloat(fused, x).at(-1)!];
      a.forEach((v, j) => expect(b[j]).toBeCloseTo(v, 12));
    }
  });

  it("a chain whose inner value is read outside it is left as it is", () => {
    const g = graphOf([
      { op: "Mul", inputs: ["t", "t"], outputs: ["sq"] },
      { op: "Add", inputs: ["sq", "t"], outputs: ["p"] },
      { op: "Add", inputs: ["p", "sq"], outputs: ["y"] },
    ]);
    // y = 2x² + x is one closed chain: the inner sq is read only inside it.
    expect(polys(fusePolynomials(g))).toEqual([{ input: "t", a: 2, b: 1, c: 0 }]);
    const open = graphOf([
      { op: "Mul", inputs: ["t", "t"], outputs: ["sq"] },
      { op: "Add", inputs: ["sq", "t"], outputs: ["p"] },
      { op: "Relu", inputs: ["sq"], outputs: ["r"] },
      { op: "Add", inputs: ["p", "r"], outputs: ["y"] },
    ]);
    // p's chain would hide sq, which the ReLU also reads: only sq itself (a closed x·x) fuses.
    const fused = fusePolynomials(open);
    expect(polys(fused)).toEqual([{ input: "t", a: 1, b: 0, c: 0 }]);
    expect(fused.nodes.filter((n) => n.op === "binary")).toHaveLength(2);
  });

  it("y = x·x + x then y·y + y: two polys (degree 4 in x is two of degree 2); x³ is no poly", () => {
    const g = graphOf([
      { op: "Mul", inputs: ["t", "t"], outputs: ["sq"] },
      { op: "Add", inputs: ["sq", "t"], outputs: ["p"] },
      { op: "Mul", inputs: ["p", "p"], outputs: ["sq2"] },
      { op: "Add", inputs: ["sq2", "p"], outputs: ["y"] },
    ]);
    expect(polys(fusePolynomials(g))).toEqual([
      { input: "t", a: 1, b: 1, c: 0 },
      { input: "p", a: 1, b: 1, c: 0 },
    ]);
    const cube = graphOf([
      { op: "Mul", inputs: ["t", "t"], outputs: ["sq"] },
      { op: "Mul", inputs: ["sq", "t"], outputs: ["y"] },
    ]);
    expect(fusePolynomials(cube).nodes.map((n) => n.op)).toEqual(["dense", "poly", "binary"]);
  });

  it("leaves a graph without a square untouched (x + x, a residual Add)", () => {
    const g = graphOf([{ op: "Add", inputs: ["t", "t"], outputs: ["y"] }]);
    expect(fusePolynomials(g)).toBe(g);
  });

  it("coefficients: exact where a power of two makes them integers, else int8 precision", () => {
    expect(coefficientFrac(1, 1)).toBe(0);
    expect(coefficientFrac(0.5, -0.75)).toBe(2);
    expect(coefficientFrac(0.1, 0.3)).toBe(8); // 0.3·2^8 = 76.8 → 77: int8 precision for the larger
  });
});

describe("polynomial fusion: what it costs and how close it stays", () => {
  // conv 3x3 → x·x + x → avgpool 2 → dense: the LeNet-5 pattern at toy size.
  const spec = {
    name: "square-cost",
    inputShape: [1, 6, 6],
    layers: [
      { kind: "conv" as const, outChannels: 2, kernel: 3, weight: u(18, 1 / 3), bias: u(2, 0.1) },
      { kind: "polynomial" as const, a: 1, b: 1, c: 0 },
      { kind: "avgpool" as const, kernel: 2 },
      { kind: "flatten" as const },
      { kind: "dense" as const, outFeatures: 3, weight: u(3 * 8, 0.3), bias: u(3, 0.1) },
    ],
  };
  const graph = importOnnx(encodeSequential(spec), spec.name);
  const samples = Array.from({ length: 32 }, () => u(36, 1));
  const fused = quantizeGraph(graph, { samples });
  const unfused = quantizeGraph(graph, { samples, fuse: false });

  it("has the documented constraint count: one product per value, requantized only after the pool's sum", async () => {
    const count = async (m: typeof fused) => (await TestCircuit.compile(generateCircom(m).split("\n").slice(1).join("\n"), "O2")).constraints;
    const [cf, cu] = [await count(fused), await count(unfused)];
    expect(fused.layers.map((l) => l.op)).toEqual(["conv", "poly", "sumpool", "dense"]);
    expect(unfused.layers.map((l) => l.op)).toEqual(["conv", "binary", "binary", "avgpool", "dense"]);
    const [conv, poly, pool] = fused.layers;
    if (conv?.op !== "conv" || poly?.op !== "poly" || pool?.op !== "sumpool") throw new Error("unexpected layers");
    // The conv's accumulator goes to the polynomial exactly, the polynomial's to the pool's sum:
    // the only requantization left is the pool's, once per pooled value.
    expect(conv.requant).toBeNull();
    expect(poly.requant).toBeNull();
    expect(pool.requant).not.toBeNull();
    // RequantInt8(B, k): B bits, + 7 to clamp a signed quotient wider than int8; DivRoundInt8(4): 14
    // (docs/OPS.md, pinned by test/gadgets/costs.test.ts). Input checks, the exact dense output
    // and its commitment are the same in both circuits, so the difference is the layers' own.
    const requant = (l: { accBits: number; requant: { shift: number } | null }) => l.accBits + (l.accBits - 1 - l.requant!.shift > 7 ? 7 : 0);
    const fusedCost = 32 + 8 * requant(pool);
    const [uConv, uMul, uAdd] = unfused.layers;
    if (uConv?.op !== "conv" || uMul?.op !== "binary" || uAdd?.op !== "binary") throw new Error("unexpected unfused layers");
    const unfusedCost = 32 * requant(uConv) + 32 * (1 + requant(uMul)) + 32 * requant(uAdd) + 8 * 14;
    expect(cu - cf).toBe(unfusedCost - fusedCost);
    expect(fusedCost * 4).toBeLessThan(unfusedCost);
  }, 120_000);

  it("stays at least as close to the float model as the unfused form", () => {
    const err = (m: typeof fused) => {
      let sum = 0;
      for (const s of samples) {
        const out = runReference(m, quantizeInput(m, s)).output.map((v) => v * 2 ** -m.output.frac);
        const ref = runFloat(graph, s).at(-1)!;
        out.forEach((v, j) => (sum += Math.abs(v - ref[j]!)));
      }
      return sum;
    };
    expect(err(fused)).toBeLessThanOrEqual(err(unfused));
  });
});
