/**
 * The registries: what zkml imports and proves is their keys, every kind has every aspect, the
 * doc lists them as they are, and a name outside them is refused (never a silent default, never a
 * prototype key taken for an op).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importOnnx } from "../circuits/onnx/import.js";
import { ONNX_OPS, SUPPORTED_OPS } from "../circuits/onnx/ops.js";
import { ZkmlError } from "../core/errors.js";
import { LAYER_GADGETS, NODE_KINDS } from "../core/ops/index.js";
import { QMODEL_FORMAT, runReference, type QModel } from "../core/qmodel.js";
import { withRegistry } from "../scripts/ops_doc.js";
import { rawModel } from "./helpers/models.js";

const ROOT = path.join(import.meta.dirname, "..");

describe("the op registries", () => {
  it("docs/OPS.md lists the registries as they are (npm run docs:ops rewrites it)", () => {
    const doc = readFileSync(path.join(ROOT, "docs/OPS.md"), "utf8");
    expect(withRegistry(doc)).toBe(doc);
  });

  it("every gadget a layer kind names is a file of circuits/lib, and every op a node kind claims imports as that kind", () => {
    expect(LAYER_GADGETS.length).toBeGreaterThan(3);
    for (const g of LAYER_GADGETS) expect(existsSync(path.join(ROOT, "circuits/lib", `${g}.circom`)), g).toBe(true);
    // A family handler of the same op name would shadow the kind's own (the table is spread in order).
    for (const [op, kind] of Object.entries(NODE_KINDS)) {
      for (const onnxOp of kind.onnx ?? []) {
        const bytes = rawModel({ inputShape: [1, 4], outputShape: [1, 4], nodes: [{ op: onnxOp, inputs: ["input"], outputs: ["y"] }], initializers: [] });
        expect(
          importOnnx(bytes, "m").nodes.map((n) => n.op),
          onnxOp,
        ).toEqual([op]);
      }
    }
  });

  it("the supported ops are the table's keys, and an op type that is a prototype key is refused by name", () => {
    expect([...SUPPORTED_OPS].sort()).toEqual(Object.keys(ONNX_OPS).sort());
    for (const op of ["constructor", "__proto__", "toString", "NotAnOp"]) {
      const bytes = rawModel({ inputShape: [1, 4], outputShape: [1, 4], nodes: [{ op, inputs: ["input"], outputs: ["y"] }], initializers: [] });
      let error: unknown;
      try {
        importOnnx(bytes, "m");
      } catch (e) {
        error = e;
      }
      expect(error, op).toBeInstanceOf(ZkmlError);
      expect((error as ZkmlError).code).toBe("UNSUPPORTED_OP");
      expect((error as ZkmlError).message).toContain(`op ${op} is not supported`);
      expect((error as ZkmlError).hint).toContain("Gemm");
    }
  });

  it("a quantized model naming a layer kind zkml does not have is refused, not skipped", () => {
    const model = {
      format: QMODEL_FORMAT,
      name: "m",
      input: { name: "x", shape: [1, 2], frac: 4, bits: 8 },
      layers: [{ op: "constructor", node: "n" }],
      output: { name: "y", shape: [1, 2], frac: 4, bits: 8 },
    } as unknown as QModel;
    expect(() => runReference(model, [1, 2])).toThrow(/layer "n" has op "constructor", which is no layer kind of zkml/);
  });
});
