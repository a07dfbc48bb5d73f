/**
 * ONNX's own golden op tests (Debian's libonnx-testdata; .ci/run installs it). For every test of
 * an op zkml knows: either it imports, and then (1) the imported float graph reproduces ONNX's
 * expected output and (2) the quantized integer model stays within int8 quantization tolerance
 * of it; or it is refused with a ZkmlError that names the node (batch > 1, 1-D/3-D windows,
 * ceil_mode, dilations, integer inputs, ...), never a crash. Skipped, visibly, without the package.
 */
import { describe, expect, it } from "vitest";
import { softmax } from "../circuits/fidelity.js";
import { importOnnx } from "../circuits/onnx/import.js";
import { quantizeGraph } from "../circuits/quantize.js";
import { ZkmlError } from "../core/errors.js";
import { runFloat } from "../core/graph.js";
import { argmax, dequantize, quantizeInput, runReference } from "../core/qmodel.js";
import { loadNodeTest, nodeTestNames } from "./helpers/onnx_node_tests.js";

const OPS =
  /^test_(abs|argmax|conv|maxpool|averagepool|globalaveragepool|globalmaxpool|relu|sigmoid|tanh|leakyrelu|prelu|gemm|matmul|batchnorm|concat|constant_pad|clip|hardsigmoid|softmax|flatten|reshape|transpose|gather|squeeze|unsqueeze|add|sub|mul|div|dropout|identity$|slice|tile|expand|cast_(FLOAT|DOUBLE)_to_(FLOAT|DOUBLE)$)/;
const names = nodeTestNames().filter((n) => OPS.test(n) && !n.endsWith("_expanded"));

/** Those that must import and agree: one or more per supported op and attribute. */
const MUST_PASS = [
  "test_conv_with_autopad_same",
  "test_conv_with_strides_and_asymmetric_padding",
  "test_conv_with_strides_no_padding",
  "test_conv_with_strides_padding",
  "test_maxpool_2d_default",
  "test_maxpool_2d_pads",
  "test_maxpool_2d_same_lower",
  "test_maxpool_2d_same_upper",
  "test_maxpool_2d_strides",
  "test_maxpool_2d_precomputed_pads",
  "test_averagepool_2d_default",
  "test_averagepool_2d_pads",
  "test_averagepool_2d_pads_count_include_pad",
  "test_averagepool_2d_same_lower",
  "test_averagepool_2d_same_upper",
  "test_averagepool_2d_strides",
  "test_averagepool_2d_precomputed_pads_count_include_pad",
  "test_globalaveragepool",
  "test_globalmaxpool",
  "test_relu",
  "test_sigmoid",
  "test_tanh",
  "test_leakyrelu",
  "test_leakyrelu_default",
  "test_prelu_broadcast",
  "test_prelu_example",
  "test_clip",
  "test_clip_default_min",
  "test_clip_splitbounds",
  "test_hardsigmoid",
  "test_hardsigmoid_default",
  "test_softmax_example",
  "test_flatten_axis2",
  "test_reshape_negative_dim",
  "test_transpose_all_permutations_3",
  "test_gather_1",
  "test_gather_2d_indices",
  "test_squeeze",
  "test_unsqueeze_two_axes",
  "test_add_bcast",
  "test_sub",
  "test_mul_bcast",
  "test_div",
  "test_dropout_default",
  "test_identity",
  "test_concat_1d_axis_0",
  "test_concat_2d_axis_1",
  "test_concat_3d_axis_negative_2",
  "test_matmul_2d",
];

describe.skipIf(names.length === 0)("ONNX golden op tests (libonnx-testdata)", () => {
  it("covers every pinned case", () => {
    for (const n of MUST_PASS) expect(names, n).toContain(n);
  });

  for (const name of names) {
    it(name, () => {
      const t = loadNodeTest(name);
      let graph: ReturnType<typeof importOnnx>;
      try {
        graph = importOnnx(t.bytes, name);
      } catch (e) {
        expect(e, `${name} threw a non-zkml error: ${(e as Error).stack}`).toBeInstanceOf(ZkmlError);
        expect((e as Error).message).toMatch(new RegExp(`model ${name}`));
        expect(MUST_PASS, `${name} was refused: ${(e as Error).message}`).not.toContain(name);
        return;
      }
      const x = Array.from(t.input.data);
      const expected = Array.from(t.expected.data);
      const lastFloat = Array.from(runFloat(graph, x).at(-1) ?? x);
      const float = graph.outputTransform === "softmax" ? softmax(lastFloat) : graph.outputTransform === "argmax" ? [argmax(lastFloat)] : lastFloat;
      expect(float).toHaveLength(expected.length);
      float.forEach((v, i) => expect(Math.abs(v - expected[i]!), `float [${i}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected[i]!))));

      const model = quantizeGraph(graph, { samples: [x] });
      const out = runReference(model, quantizeInput(model, x)).output;
      const deq = dequantize(out, model.output.frac);
      const quant = model.output.transform === "softmax" ? softmax(deq) : model.output.transform === "argmax" ? [argmax(deq)] : deq;
      const scale = Math.max(...expected.map(Math.abs), 1e-9);
      quant.forEach((v, i) => expect(Math.abs(v - expected[i]!), `quantized [${i}]`).toBeLessThanOrEqual(0.05 * scale));
    });
  }
});

if (names.length === 0) {
  describe("ONNX golden op tests", () => {
    it.skip("libonnx-testdata is not installed (apt-get install libonnx-testdata): ONNX's own op tests are not run", () => {});
  });
}
