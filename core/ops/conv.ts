/**
 * 2-D convolution (Conv, QLinearConv, ConvInteger, a 4-D BatchNormalization with nothing to fold
 * into): a dense layer with shared weights, so the same accumulate/requantize; strides, pads and
 * groups. Its multiply-adds are free as circuit constants.
 */
import { commentText } from "../inert.js";
import { convolve, requantize, requantText, sizeOf, type FloatTensor, type NodeBase, type Window2d } from "../ir.js";
import { arrayFunction, requantLines } from "./circom.js";
import { oneInput, previousLayer, type LayerKind, type NodeKind } from "./kind.js";
import { accumulatorOut, describeLinear, quantizeLinear, type LinearNodeParams, type LinearParams } from "./linear.js";

export interface ConvNode extends NodeBase, Window2d, LinearNodeParams {
  op: "conv";
  /** [outChannels][inChannels / group][kh][kw]. */
  weight: FloatTensor;
  group: number;
}

export interface QConv extends LinearParams, Window2d {
  op: "conv";
  group: number;
}

export const convNode: NodeKind<ConvNode> = {
  inputs: oneInput,
  float: (n, [x]) => Float64Array.from(convolve(n, n.weight.data, n.bias, x!)),
  work(n) {
    const out = sizeOf(n.outShape);
    return { work: out * (n.weight.data.length / n.outShape[0]), constraints: out * 32 };
  },
  absorbed: () => undefined,
  quantize(n, _index, ctx) {
    const rowLength = (n.inShape[0] / n.group) * n.kernel[0] * n.kernel[1];
    const { last, from, params } = quantizeLinear(n, ctx.tensor(n.input), rowLength, ctx);
    const { inShape, outShape, kernel, strides, pads, group } = n;
    ctx.produce(last, { op: "conv", node: n.name, ...from, inShape, outShape, kernel, strides, pads, group, ...params } satisfies QConv);
  },
};

export const convLayer: LayerKind<QConv> = {
  sources: previousLayer,
  outSize: (l) => sizeOf(l.outShape),
  outFrac: (l) => accumulatorOut(l).frac,
  outBits: (l) => accumulatorOut(l).bits,
  run(l, [x]) {
    const acc = convolve(l, l.weights, l.bias, x!);
    const r = l.requant;
    return r ? acc.map((a) => requantize(a, r)) : acc;
  },
  describe: (l) => describeLinear(`conv [${l.inShape}]→[${l.outShape}] kernel ${l.kernel.join("x")} stride ${l.strides.join(",")} group ${l.group}`, l),
  gadgets: ["requant"],
  constants: (l, i) => [
    arrayFunction(
      `Weights${i}`,
      l.weights,
      `Layer ${i}: ${commentText(l.node)}, int8 weights at 2^-${l.wFrac}, [${l.outShape[0]}][${l.inShape[0] / l.group}][${l.kernel}].`,
    ),
    arrayFunction(`Bias${i}`, l.bias, `Layer ${i}: biases at 2^-${l.accFrac}.`),
  ],
  emit: (l, i, e) => convCode(l, i, e.signal(previousLayer(l, i)[0]!)),
  constantTerms: (l) => sizeOf(l.outShape) * (l.inShape[0] / l.group) * l.kernel[0] * l.kernel[1],
};

function convCode(l: QConv, i: number, prev: string): string[] {
  const [C, H, W] = l.inShape;
  const [OC, OH, OW] = l.outShape;
  const [KH, KW] = l.kernel;
  const cpg = C / l.group;
  const opg = OC / l.group;
  const a = `a${i}`;
  const n = OC * OH * OW;
  return [
    `    // ${commentText(l.node)}: conv [${l.inShape}] -> [${l.outShape}], kernel ${KH}x${KW}, stride ${l.strides}, pads ${l.pads}, group ${l.group}${requantText(l.requant)}`,
    `    var w${i}[${l.weights.length}] = Weights${i}();`,
    `    var b${i}[${OC}] = Bias${i}();`,
    `    signal ${a}[${n}];`,
    ...(l.requant ? [`    component rq${i}[${n}];`] : []),
    `    for (var oc = 0; oc < ${OC}; oc++) {`,
    `        for (var oy = 0; oy < ${OH}; oy++) {`,
    `            for (var ox = 0; ox < ${OW}; ox++) {`,
    `                var o = (oc * ${OH} + oy) * ${OW} + ox;`,
    `                var acc = b${i}[oc];`,
    `                for (var ic = 0; ic < ${cpg}; ic++) {`,
    `                    var c = (oc \\ ${opg}) * ${cpg} + ic;`,
    `                    for (var ky = 0; ky < ${KH}; ky++) {`,
    `                        var iy = oy * ${l.strides[0]} - ${l.pads[0]} + ky;`,
    `                        for (var kx = 0; kx < ${KW}; kx++) {`,
    `                            var ix = ox * ${l.strides[1]} - ${l.pads[1]} + kx;`,
    `                            if (iy >= 0 && iy < ${H} && ix >= 0 && ix < ${W}) {`,
    `                                acc += w${i}[((oc * ${cpg} + ic) * ${KH} + ky) * ${KW} + kx] * ${prev}[(c * ${H} + iy) * ${W} + ix];`,
    `                            }`,
    `                        }`,
    `                    }`,
    `                }`,
    ...requantLines(l, i, `${a}[o]`, "                "),
    `            }`,
    `        }`,
    `    }`,
  ];
}
