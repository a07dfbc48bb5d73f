/**
 * Sizes zkml refuses to go beyond, checked before anything is allocated: a hostile or broken
 * file must end in a one-line error that states the limit, never in an out-of-memory crash or
 * an hour of compiling. Each is far above what proves on one machine today (the LeNet-5 bench
 * model has 212,647 constraints and tensors of at most 61,706 values).
 */
import { ZkmlError } from "./errors.js";

export const LIMITS = {
  /** Bytes of an ONNX file read into memory. */
  onnxBytes: 512 * 2 ** 20,
  /** Values of any one tensor (a weight, an activation, an index map). */
  tensorElements: 2 ** 24,
  /** Values of the model's input (each is range-checked in the circuit; calibration holds 64 samples of it). */
  inputElements: 2 ** 18,
  /** Rank of any tensor. */
  tensorRank: 8,
  /** Nodes of an ONNX graph. */
  nodes: 20_000,
  /** Side of a convolution or pooling window, and a stride or pad. */
  windowSide: 4096,
  /** Multiply-adds and values moved in one float inference (calibration runs it per sample). */
  multiplyAdds: 2 ** 26,
  /** Constraints a circuit is estimated to need (2^23: a 2^24 powers of tau, beyond this machine). */
  estimatedConstraints: 2 ** 23,
  /** Wires and constraints of an r1cs that keys are made for (a 2^20-constraint circuit has ~0.5M wires; each takes ~200 bytes while keys are made). */
  r1csSize: 2 ** 24,
  /** Bytes of an input, calibration or proof JSON file. */
  jsonBytes: 64 * 2 ** 20,
  /** Nesting depth of an input array (a 4-D tensor with a batch dimension needs 5). */
  inputDepth: 16,
  /** Outputs of a graph (each is a part of the proof's output vector, named in the proof file). */
  graphOutputs: 64,
} as const;

/** The element count of a shape, refusing dims that are not sizes and counts over the limit. */
export function checkedSize(shape: readonly number[], what: () => string): number {
  if (shape.length > LIMITS.tensorRank) {
    throw new ZkmlError("BAD_MODEL", `${what()}: rank ${shape.length} is over zkml's limit of ${LIMITS.tensorRank}`);
  }
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new ZkmlError("BAD_MODEL", `${what()}: dimension ${d} of shape [${shape.join(", ")}] is not a size`);
    n *= d;
    if (n > LIMITS.tensorElements) {
      throw new ZkmlError("BAD_MODEL", `${what()}: shape [${shape.join(", ")}] has over ${LIMITS.tensorElements} values, zkml's limit per tensor (2^24)`);
    }
  }
  return n;
}
