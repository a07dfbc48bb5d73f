/**
 * The elementwise functions of core/ops/math.ts (Exp, Log, Erf, Gelu, Sign, ...), comparisons of
 * an activation with a constant (Less, Greater, Equal, ...: 0/1 values), Not, and Where with
 * constant branches: each an activation node, so an exact int8 table (LookupInt8).
 */
import { ZkmlError } from "../../../core/errors.js";
import type { ActivationFn } from "../../../core/graph.js";
import { COMPARISONS, MATH_FUNCTIONS, mathValue, type MathName, type MathParams } from "../../../core/ops/math.js";
import type { OnnxOp } from "../handler.js";
import type { GraphBuilder, NodeProto } from "../graph_builder.js";
import { attr, broadcastTo, floatAttr, stringAttr } from "../shapes.js";

/** The attributes each function reads (ONNX's defaults live in math.ts). */
const PARAMS: Partial<Record<MathName, (n: NodeProto) => MathParams>> = {
  elu: (n) => ({ alpha: floatAttr(n, "alpha", 1) }),
  celu: (n) => ({ alpha: floatAttr(n, "alpha", 1) }),
  selu: (n) => ({ ...(attr(n, "alpha") && { alpha: floatAttr(n, "alpha", 0) }), ...(attr(n, "gamma") && { gamma: floatAttr(n, "gamma", 0) }) }),
  thresholdedrelu: (n) => ({ alpha: floatAttr(n, "alpha", 1) }),
  gelu: (n) => ({ tanh: stringAttr(n, "approximate", "none") === "tanh" }),
};

/** A function of one activation and its attributes; on a constant, evaluated at import (shape plumbing: Neg of a rank). */
function unary(name: MathName): OnnxOp {
  return {
    import(b, n) {
      if ((n.input ?? []).filter((x) => x).length !== 1) b.unsupported(n, `${n.opType} takes one input`);
      const params = PARAMS[name]?.(n) ?? {};
      const v = b.valueNamed(n, n.input![0]!);
      if (v.kind === "const") return b.setConst(n, { ...v.tensor, data: v.tensor.data.map((x) => mathValue(name, x, params)) });
      b.activation(n, { kind: "math", name, params });
    },
  };
}

/** A constant operand broadcast over the activation's shape (one value per element). */
function constantOver(b: GraphBuilder, n: NodeProto, name: string, shape: number[]): Float64Array {
  const c = b.constOf(n, name, "operand").tensor;
  const k = broadcastTo(c, shape);
  if (!k) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: constant [${c.dims}] does not broadcast to [${shape}]`);
  return k;
}

/** The function with a per-element constant `k` (one value: a scalar parameter, one table). */
function withConstant(name: MathName, k: Float64Array): ActivationFn {
  return k.every((v) => v === k[0]) ? { kind: "math", name, params: { k: k[0]! } } : { kind: "math", name, params: {}, k };
}

/** x op c, or c op x (the same comparison with the operands swapped). */
function comparison(name: keyof typeof COMPARISONS): OnnxOp {
  return {
    import(b, n) {
      const [x, y] = [b.valueNamed(n, n.input![0]!), b.valueNamed(n, n.input![1]!)];
      if (x.kind === "act" && y.kind === "act") b.unsupported(n, `${n.opType} of two activations is not supported (only an activation and a constant)`);
      if (x.kind === "const" && y.kind === "const") b.unsupported(n, `${n.opType} of two constants should have been folded by the exporter`);
      const actFirst = x.kind === "act";
      const a = b.actOf(n, n.input![actFirst ? 0 : 1]!);
      const k = constantOver(b, n, n.input![actFirst ? 1 : 0]!, a.shape);
      const fn = withConstant(actFirst ? name : COMPARISONS[name], k);
      b.emit({ op: "activation", name: b.nameOf(n), onnxOp: n.opType!, input: b.srcOf(n, actFirst ? 0 : 1), output: b.out0(n), fn }, a.shape);
    },
  };
}

/** Where(cond, X, Y) with constant X and Y: Y + cond·(X − Y) per element, a table of the 0/1 condition. */
const where: OnnxOp = {
  import(b, n) {
    const cond = b.actOf(n, n.input![0]!);
    const [x, y] = [b.valueNamed(n, n.input![1]!), b.valueNamed(n, n.input![2]!)];
    if (x.kind !== "const" || y.kind !== "const") b.unsupported(n, "Where is supported with constant branches only (the condition may be an activation)");
    const xs = constantOver(b, n, n.input![1]!, cond.shape);
    const ys = constantOver(b, n, n.input![2]!, cond.shape);
    const fn: ActivationFn = { kind: "affine", scale: xs.map((v, i) => v - ys[i]!), shift: ys };
    b.emit({ op: "activation", name: b.nameOf(n), onnxOp: "Where", input: b.srcOf(n), output: b.out0(n), fn }, cond.shape);
  },
};

/**
 * And, Or, Xor of two 0/1 activations as products and sums, exact at the integer scales the
 * quantizer keeps for 0/1 values: a·b, a + b − a·b, (a − b)·(a − b).
 */
function logic(op: "And" | "Or" | "Xor"): OnnxOp {
  return {
    import(b, n) {
      const [v0, v1] = [b.valueNamed(n, n.input![0]!), b.valueNamed(n, n.input![1]!)];
      if (v0.kind === "const" || v1.kind === "const") return logicWithConstant(b, n, op, v0.kind === "const" ? 1 : 0);
      const [x, y] = [b.actOf(n, n.input![0]!), b.actOf(n, n.input![1]!)];
      if (x.shape.join() !== y.shape.join()) b.unsupported(n, `${op} of shapes [${x.shape}] and [${y.shape}]: only equal shapes`);
      const [a, c, out, name] = [b.srcOf(n, 0), b.srcOf(n, 1), b.out0(n), b.nameOf(n)];
      const node = (fn: "add" | "sub" | "mul", input: string, input2: string, output: string, suffix = "") =>
        b.emit({ op: "binary", fn, name: `${name}${suffix}`, onnxOp: op, input, input2, output }, x.shape);
      if (op === "And") return node("mul", a, c, out);
      if (op === "Xor") {
        node("sub", a, c, `${out}/difference`, "/difference");
        return node("mul", `${out}/difference`, `${out}/difference`, out);
      }
      node("add", a, c, `${out}/sum`, "/sum");
      node("mul", a, c, `${out}/both`, "/both");
      node("sub", `${out}/sum`, `${out}/both`, out);
    },
  };
}

/** x op c for a constant 0/1 c (broadcast): an affine map per element, x·c, x·(1 − c) + c or x·(1 − 2c) + c. */
function logicWithConstant(b: GraphBuilder, n: NodeProto, op: "And" | "Or" | "Xor", actIndex: number): void {
  const x = b.actOf(n, n.input![actIndex]!);
  const c = constantOver(b, n, n.input![1 - actIndex]!, x.shape).map((v) => (v !== 0 ? 1 : 0));
  const scale = c.map((v) => (op === "And" ? v : op === "Or" ? 1 - v : 1 - 2 * v));
  const shift = c.map((v) => (op === "And" ? 0 : v));
  b.emit({ op: "activation", name: b.nameOf(n), onnxOp: op, input: b.srcOf(n, actIndex), output: b.out0(n), fn: { kind: "affine", scale, shift } }, x.shape);
}

const UNARY: MathName[] = [
  "exp",
  "log",
  "sqrt",
  "reciprocal",
  "neg",
  "erf",
  "gelu",
  "softplus",
  "softsign",
  "elu",
  "selu",
  "celu",
  "mish",
  "hardswish",
  "thresholdedrelu",
  "sin",
  "cos",
  "tan",
  "asin",
  "acos",
  "atan",
  "sinh",
  "cosh",
  "asinh",
  "acosh",
  "atanh",
  "sign",
  "round",
  "floor",
  "ceil",
  "not",
];

export const MATH_OPS: Record<string, OnnxOp> = {
  ...Object.fromEntries(UNARY.map((name) => [MATH_FUNCTIONS[name].onnx, unary(name)])),
  ...Object.fromEntries((Object.keys(COMPARISONS) as (keyof typeof COMPARISONS)[]).map((name) => [MATH_FUNCTIONS[name].onnx, comparison(name)])),
  Where: where,
  And: logic("And"),
  Or: logic("Or"),
  Xor: logic("Xor"),
};
