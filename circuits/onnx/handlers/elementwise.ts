/**
 * Add, Sub, Mul, Div and Pow. On constants: evaluated. Of two activations: a binary node. Of an
 * activation and a constant: x·scale + shift, folded into the layer before it when that layer
 * alone reads it, else an exact table (an activation node).
 */
import { ZkmlError } from "../../../core/errors.js";
import { sizeOf } from "../../../core/ir.js";
import type { OnnxOp } from "../handler.js";
import type { Constant, GraphBuilder, NodeProto } from "../graph_builder.js";
import { broadcastShape, broadcastTo } from "../shapes.js";
import { DT } from "../tensor.js";

const ELEMENTWISE: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
};

function ofConstants(b: GraphBuilder, n: NodeProto, x: Constant, y: Constant): void {
  const op = n.opType!;
  const f = ELEMENTWISE[op]!;
  const shape = broadcastShape(x.tensor.dims, y.tensor.dims);
  const xa = shape && broadcastTo(x.tensor, shape);
  const ya = shape && broadcastTo(y.tensor, shape);
  if (!shape || !xa || !ya) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: shapes [${x.tensor.dims}] and [${y.tensor.dims}] do not broadcast`);
  const isInt = x.tensor.dataType === DT.INT64 || x.tensor.dataType === DT.INT32;
  b.setConst(n, { dims: shape, dataType: x.tensor.dataType, data: xa.map((v, i) => (isInt && op === "Div" ? Math.trunc(f(v, ya[i]!)) : f(v, ya[i]!))) });
}

/**
 * An operand of `shape` as a tensor of the broadcast shape: itself when it has its values already,
 * else a free select that repeats them (a per-row statistic over a row, a mask over heads).
 */
function broadcastOperand(b: GraphBuilder, n: NodeProto, i: number, shape: number[], to: number[]): string {
  const src = b.srcOf(n, i);
  if (sizeOf(shape) === sizeOf(to)) return src;
  const positions = { dims: shape, dataType: DT.FLOAT, data: Float64Array.from({ length: sizeOf(shape) }, (_, k) => k) };
  const index = Int32Array.from(broadcastTo(positions, to)!);
  const output = `${b.out0(n)}/broadcast${i}`;
  b.emit({ op: "select", name: `${b.nameOf(n)}/broadcast${i}`, onnxOp: n.opType!, input: src, output, index }, to);
  return output;
}

function ofActivations(b: GraphBuilder, n: NodeProto, x: number[], y: number[]): void {
  const op = n.opType!;
  if (op === "Div" && (b.actOf(n, n.input![0]!).integer || b.actOf(n, n.input![1]!).integer))
    b.unsupported(n, "Div of integer tensors truncates, which is not supported: Cast them to float first");
  const shape = broadcastShape(x, y);
  if (!shape) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: shapes [${x}] and [${y}] do not broadcast`);
  const [input, input2] = [broadcastOperand(b, n, 0, x, shape), broadcastOperand(b, n, 1, y, shape)];
  const [name, output] = [b.nameOf(n), b.out0(n)];
  if (op === "Div") b.emit({ op: "divide", name, onnxOp: op, input, input2, output }, shape);
  else b.emit({ op: "binary", fn: op === "Add" ? "add" : op === "Sub" ? "sub" : "mul", name, onnxOp: op, input, input2, output }, shape);
}

/** A positional embedding added to an embedding's output that nothing else reads: folded into its table. */
function foldIntoEmbedding(b: GraphBuilder, actName: string, shift: Float64Array): boolean {
  if (b.onnxReaders.get(actName) !== 1 || b.soleReader.get(actName) === false) return false;
  const node = b.nodes.find((nd) => nd.output === b.canon(actName));
  if (node?.op !== "embed") return false;
  node.shift = node.shift ? node.shift.map((v, i) => v + shift[i]!) : Float64Array.from(shift);
  return true;
}

/** Every form with one constant is x·scale + shift per element. */
function withConstant(b: GraphBuilder, n: NodeProto, constFirst: boolean): void {
  const op = n.opType!;
  const ins = n.input!;
  const actName = constFirst ? ins[1]! : ins[0]!;
  const c = b.valueNamed(n, constFirst ? ins[0]! : ins[1]!) as Constant;
  const a = b.actOf(n, actName);
  if (constFirst && op === "Div") b.unsupported(n, "a constant divided by an activation is not supported");
  if (op === "Div" && a.integer) b.unsupported(n, `Div of the integer tensor "${actName}" truncates, which is not supported: Cast it to float first`);
  const k = broadcastTo(c.tensor, a.shape);
  if (!k) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: constant [${c.tensor.dims}] does not broadcast to [${a.shape}]`);
  const fill = (v: number) => k.map(() => v);
  const [scale, shift] =
    op === "Add"
      ? [fill(1), k]
      : op === "Sub"
        ? constFirst
          ? [fill(-1), k]
          : [fill(1), k.map((v) => -v)]
        : op === "Mul"
          ? [k, fill(0)]
          : [k.map((v) => 1 / v), fill(0)];
  if ((op === "Add" || (op === "Sub" && !constFirst)) && foldIntoEmbedding(b, actName, op === "Add" ? k : k.map((v) => -v))) {
    b.alias(n, a.shape, actName);
    return;
  }
  const target = b.foldTarget(actName);
  const perScale = target && b.perChannel(target, scale);
  const perShift = target && b.perChannel(target, shift);
  if (target && perScale && perShift) {
    b.foldAffine(target, perScale, perShift);
    b.alias(n, a.shape, actName);
  } else {
    // Nothing to fold into: an elementwise function of one int8 value, so an exact table.
    b.emit({ op: "activation", name: b.nameOf(n), onnxOp: op, input: b.canon(actName), output: b.out0(n), fn: { kind: "affine", scale, shift } }, a.shape);
  }
}

const arithmetic: OnnxOp = {
  import(b, n) {
    const [x, y] = [b.valueNamed(n, n.input![0]!), b.valueNamed(n, n.input![1]!)];
    if (x.kind === "const" && y.kind === "const") ofConstants(b, n, x, y);
    else if (x.kind === "act" && y.kind === "act") ofActivations(b, n, x.shape, y.shape);
    else withConstant(b, n, x.kind === "const");
  },
};

export const ELEMENTWISE_OPS: Record<string, OnnxOp> = {
  Add: arithmetic,
  Sub: arithmetic,
  Mul: arithmetic,
  Div: arithmetic,
  Pow: {
    import(b, n) {
      const a = b.actOf(n, n.input![0]!);
      const exponent = b.constOf(n, n.input![1]!, "exponent").tensor;
      const e = exponent.data;
      if (e.length !== 1 || ![1, 2, 3].includes(e[0]!)) {
        // Any other constant exponent (fractional, negative, per element): an exact table.
        const k = broadcastTo(exponent, a.shape);
        if (!k) throw new ZkmlError("BAD_MODEL", `${b.where(n)}: exponent [${exponent.dims}] does not broadcast to [${a.shape}]`);
        const fn = k.every((v) => v === k[0])
          ? { kind: "math" as const, name: "pow" as const, params: { k: k[0]! } }
          : { kind: "math" as const, name: "pow" as const, params: {}, k };
        return b.emit({ op: "activation", name: b.nameOf(n), onnxOp: "Pow", input: b.srcOf(n), output: b.out0(n), fn }, a.shape);
      }
      if (e[0] === 1) return b.alias(n, a.shape);
      // x² is x·x; x³ is (x·x)·x, with the square requantized in between.
      const [name, out] = [b.nameOf(n), b.out0(n)];
      const square = e[0] === 2 ? out : `${out}/square`;
      b.emit(
        { op: "binary", fn: "mul", name: e[0] === 2 ? name : `${name}/square`, onnxOp: "Pow", input: b.srcOf(n), input2: b.srcOf(n), output: square },
        a.shape,
      );
      if (e[0] === 3) b.emit({ op: "binary", fn: "mul", name, onnxOp: "Pow", input: square, input2: b.srcOf(n), output: out }, a.shape);
    },
  },
};
