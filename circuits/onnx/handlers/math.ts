/**
 * The elementwise functions of core/ops/math.ts (Exp, Log, Erf, Gelu, Sign, ...), comparisons of
 * an activation with a constant (Less, Greater, Equal, ...: 0/1 values), Not, and Where with
 * constant branches: each an activation node, so an exact int8 table (LookupInt8).
 */
import { ZkmlError } from "../../../core/errors.js";
import type { ActivationFn } from "../../../core/ops/activation.js";
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

/** The exact test of two activations each comparison is (core/ops/compare.ts). */
const TESTS_OF = { less: "lt", lessorequal: "le", greater: "gt", greaterorequal: "ge", equal: "eq" } as const;

/** x op c, or c op x (the same comparison with the operands swapped); x op y of two activations exactly on their aligned values. */
function comparison(name: keyof typeof COMPARISONS): OnnxOp {
  return {
    import(b, n) {
      const [x, y] = [b.valueNamed(n, n.input![0]!), b.valueNamed(n, n.input![1]!)];
      if (x.kind === "act" && y.kind === "act") {
        if (x.shape.reduce((p, d) => p * d, 1) !== y.shape.reduce((p, d) => p * d, 1))
          b.unsupported(n, `${n.opType} of shapes [${x.shape}] and [${y.shape}]: only one shape`);
        const test = TESTS_OF[name];
        return b.emit({ op: "compare", test, name: b.nameOf(n), onnxOp: n.opType!, input: b.srcOf(n, 0), input2: b.srcOf(n, 1), output: b.out0(n) }, x.shape);
      }
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
    const c = b.valueNamed(n, n.input![0]!);
    const [x, y] = [b.valueNamed(n, n.input![1]!), b.valueNamed(n, n.input![2]!)];
    if (c.kind === "const") return whereByConstant(b, n);
    const cond = b.actOf(n, n.input![0]!);
    if (x.kind === "const" && y.kind === "const") {
      const xs = constantOver(b, n, n.input![1]!, cond.shape);
      const ys = constantOver(b, n, n.input![2]!, cond.shape);
      const fn: ActivationFn = { kind: "affine", scale: xs.map((v, i) => v - ys[i]!), shift: ys };
      return b.emit({ op: "activation", name: b.nameOf(n), onnxOp: "Where", input: b.srcOf(n), output: b.out0(n), fn }, cond.shape);
    }
    whereOfActivations(b, n, cond.shape);
  },
};

/** An activation branch of a Where as a tensor of the condition's shape (its values, or a constant minus it). */
function sameShape(b: GraphBuilder, n: NodeProto, i: number, shape: number[]): void {
  const a = b.actOf(n, n.input![i]!);
  if (a.shape.reduce((p, d) => p * d, 1) !== shape.reduce((p, d) => p * d, 1)) b.unsupported(n, `Where of shapes [${shape}] and [${a.shape}]: only one shape`);
}

/**
 * Where(cond, X, Y) with a 0/1 activation condition and an activation branch: Y + cond·(X − Y),
 * a difference (a table when one branch is a constant), a product with the 0/1 condition and a sum.
 */
function whereOfActivations(b: GraphBuilder, n: NodeProto, shape: number[]): void {
  const [name, out, onnxOp] = [b.nameOf(n), b.out0(n), "Where"];
  const [x, y] = [b.valueNamed(n, n.input![1]!), b.valueNamed(n, n.input![2]!)];
  const act = (fnName: string, input: string, fn: ActivationFn, output: string) =>
    b.emit({ op: "activation", name: `${name}/${fnName}`, onnxOp, input, output, fn }, shape);
  const bin = (fn: "add" | "sub" | "mul", input: string, input2: string, output: string, suffix: string) =>
    b.emit({ op: "binary", fn, name: suffix ? `${name}/${suffix}` : name, onnxOp, input, input2, output }, shape);
  const ones = (v: number) => new Float64Array(shape.reduce((p, d) => p * d, 1)).fill(v);
  const diff = `${out}/difference`;
  if (x.kind === "act") sameShape(b, n, 1, shape);
  if (y.kind === "act") sameShape(b, n, 2, shape);
  if (x.kind === "act" && y.kind === "act") bin("sub", b.srcOf(n, 1), b.srcOf(n, 2), diff, "difference");
  else if (x.kind === "act")
    act("difference", b.srcOf(n, 1), { kind: "affine", scale: ones(1), shift: constantOver(b, n, n.input![2]!, shape).map((v) => -v) }, diff);
  else act("difference", b.srcOf(n, 2), { kind: "affine", scale: ones(-1), shift: constantOver(b, n, n.input![1]!, shape) }, diff);
  const picked = `${out}/picked`;
  bin("mul", b.srcOf(n, 0), diff, picked, "picked");
  if (y.kind === "act") bin("add", b.srcOf(n, 2), picked, out, "");
  else act("", picked, { kind: "affine", scale: ones(1), shift: constantOver(b, n, n.input![2]!, shape) }, out);
}

/** Where with a constant condition: per element X or Y, a free select over [X, Y] side by side, or an affine map of the one activation. */
function whereByConstant(b: GraphBuilder, n: NodeProto): void {
  const [x, y] = [b.valueNamed(n, n.input![1]!), b.valueNamed(n, n.input![2]!)];
  if (x.kind === "const" && y.kind === "const") b.unsupported(n, "Where of three constants should have been folded by the exporter");
  const shape = b.actOf(n, n.input![x.kind === "act" ? 1 : 2]!).shape;
  const cond = constantOver(b, n, n.input![0]!, shape).map((v) => (v !== 0 ? 1 : 0));
  const size = cond.length;
  if (x.kind === "act" && y.kind === "act") {
    sameShape(b, n, 2, shape);
    const both = `${b.out0(n)}/both`;
    const dest = [Int32Array.from({ length: size }, (_, i) => i), Int32Array.from({ length: size }, (_, i) => size + i)];
    b.emit(
      {
        op: "concat",
        name: `${b.nameOf(n)}/both`,
        onnxOp: "Where",
        input: b.srcOf(n, 1),
        inputs: [b.srcOf(n, 1), b.srcOf(n, 2)],
        dest,
        size: 2 * size,
        output: both,
      },
      [2 * size],
    );
    const index = Int32Array.from(cond, (v, i) => (v ? i : size + i));
    b.emit({ op: "select", name: b.nameOf(n), onnxOp: "Where", input: both, output: b.out0(n), index }, shape);
    return;
  }
  const fromX = x.kind === "act";
  const other = constantOver(b, n, n.input![fromX ? 2 : 1]!, shape);
  // X where cond, the constant elsewhere (or the reverse): x·[cond] + c·[!cond].
  const scale = cond.map((v) => (fromX ? v : 1 - v));
  const shift = cond.map((v, i) => (fromX ? 1 - v : v) * other[i]!);
  b.emit(
    { op: "activation", name: b.nameOf(n), onnxOp: "Where", input: b.srcOf(n, fromX ? 1 : 2), output: b.out0(n), fn: { kind: "affine", scale, shift } },
    shape,
  );
}

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
