/**
 * The elementwise functions of ONNX that zkml proves as exact int8 tables (core/ops/activation.ts):
 * the float definition of each, with its ONNX defaults, in one table. A function of one int8 value
 * has only 256 inputs, so the circuit never approximates it: the table is the float function on
 * the input grid, rounded once to the output grid (half an output step, plus saturation at the
 * calibrated range). Outside a function's domain (log or sqrt of a negative, 1/0) the float value
 * is ±Infinity or NaN; the table saturates ±Infinity to ±127/-128 and takes NaN as 0, which
 * docs/OPS.md states.
 */

/** Parameters a function reads (ONNX attributes, or the constant of a comparison or Pow). */
export interface MathParams {
  alpha?: number;
  gamma?: number;
  /** Pow's constant exponent; a comparison's constant. */
  k?: number;
  /** Gelu's `approximate="tanh"`. */
  tanh?: boolean;
}

const SQRT1_2 = Math.SQRT1_2;

/** erf to ~1e-15: its Taylor series near 0, erfc's continued fraction in the tails. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 80; n++) {
      term *= (-ax * ax) / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * sum * (2 / Math.sqrt(Math.PI));
  }
  if (ax > 6) return Math.sign(x);
  // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated from the tail.
  let f = ax;
  for (let n = 60; n >= 1; n--) f = ax + n / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}

function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** Round half to even, as ONNX Round does. */
function roundEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const SELU_ALPHA = 1.6732631921768188; // ONNX's default, 1.67326319217681884765625, as a double
const SELU_GAMMA = 1.0507010221481323; // ONNX's default, 1.05070102214813232421875, as a double

/** One function: its ONNX op, its float value, and whether its values are integers (comparisons, Sign, Round, ...). */
export interface MathFunction {
  onnx: string;
  value(x: number, p: MathParams): number;
  /** Its outputs are integers: the output scale keeps them exact (no value saturates). */
  integer?: true;
}

/** Every elementwise function zkml tables, by name (the layer's `fn`). */
export const MATH_FUNCTIONS = {
  exp: { onnx: "Exp", value: (x) => Math.exp(x) },
  log: { onnx: "Log", value: (x) => Math.log(x) },
  sqrt: { onnx: "Sqrt", value: (x) => Math.sqrt(x) },
  reciprocal: { onnx: "Reciprocal", value: (x) => 1 / x },
  neg: { onnx: "Neg", value: (x) => -x },
  erf: { onnx: "Erf", value: (x) => erf(x) },
  gelu: {
    onnx: "Gelu",
    value: (x, p) => (p.tanh ? 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))) : 0.5 * x * (1 + erf(x * SQRT1_2))),
  },
  softplus: { onnx: "Softplus", value: softplus },
  softsign: { onnx: "Softsign", value: (x) => x / (1 + Math.abs(x)) },
  elu: { onnx: "Elu", value: (x, p) => (x < 0 ? (p.alpha ?? 1) * (Math.exp(x) - 1) : x) },
  selu: { onnx: "Selu", value: (x, p) => (p.gamma ?? SELU_GAMMA) * (x > 0 ? x : (p.alpha ?? SELU_ALPHA) * (Math.exp(x) - 1)) },
  celu: { onnx: "Celu", value: (x, p) => Math.max(0, x) + Math.min(0, (p.alpha ?? 1) * (Math.exp(x / (p.alpha ?? 1)) - 1)) },
  mish: { onnx: "Mish", value: (x) => x * Math.tanh(softplus(x)) },
  hardswish: { onnx: "HardSwish", value: (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)) },
  thresholdedrelu: { onnx: "ThresholdedRelu", value: (x, p) => (x > (p.alpha ?? 1) ? x : 0) },
  sin: { onnx: "Sin", value: Math.sin },
  cos: { onnx: "Cos", value: Math.cos },
  tan: { onnx: "Tan", value: Math.tan },
  asin: { onnx: "Asin", value: Math.asin },
  acos: { onnx: "Acos", value: Math.acos },
  atan: { onnx: "Atan", value: Math.atan },
  sinh: { onnx: "Sinh", value: Math.sinh },
  cosh: { onnx: "Cosh", value: Math.cosh },
  asinh: { onnx: "Asinh", value: Math.asinh },
  acosh: { onnx: "Acosh", value: Math.acosh },
  atanh: { onnx: "Atanh", value: Math.atanh },
  pow: { onnx: "Pow", value: (x, p) => x ** p.k! },
  sign: { onnx: "Sign", value: (x) => Math.sign(x), integer: true },
  round: { onnx: "Round", value: roundEven, integer: true },
  floor: { onnx: "Floor", value: Math.floor, integer: true },
  ceil: { onnx: "Ceil", value: Math.ceil, integer: true },
  not: { onnx: "Not", value: (x) => (x === 0 ? 1 : 0), integer: true },
  /** Cast of an activation to bool. */
  nonzero: { onnx: "Cast", value: (x) => (x !== 0 ? 1 : 0), integer: true },
  /** Cast of an activation to an integer type: toward zero, as onnxruntime casts. */
  trunc: { onnx: "Cast", value: Math.trunc, integer: true },
  less: { onnx: "Less", value: (x, p) => (x < p.k! ? 1 : 0), integer: true },
  lessorequal: { onnx: "LessOrEqual", value: (x, p) => (x <= p.k! ? 1 : 0), integer: true },
  greater: { onnx: "Greater", value: (x, p) => (x > p.k! ? 1 : 0), integer: true },
  greaterorequal: { onnx: "GreaterOrEqual", value: (x, p) => (x >= p.k! ? 1 : 0), integer: true },
  equal: { onnx: "Equal", value: (x, p) => (x === p.k! ? 1 : 0), integer: true },
} as const satisfies Record<string, MathFunction>;

export type MathName = keyof typeof MATH_FUNCTIONS;

/** The comparisons of an activation with a constant, and the one that holds with the operands swapped (c < x is x > c). */
export const COMPARISONS = {
  less: "greater",
  lessorequal: "greaterorequal",
  greater: "less",
  greaterorequal: "lessorequal",
  equal: "equal",
} as const satisfies Partial<Record<MathName, MathName>>;

/** The function's value at x. */
export function mathValue(name: MathName, x: number, p: MathParams): number {
  const f: MathFunction = MATH_FUNCTIONS[name];
  return f.value(x, p);
}

/** Whether the function's values are integers (its output scale is chosen so none saturates). */
export function integerValued(name: MathName): boolean {
  const f: MathFunction = MATH_FUNCTIONS[name];
  return f.integer === true;
}
