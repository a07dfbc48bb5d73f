/** The pieces of circom text more than one layer kind emits. */
import type { Requant } from "../ir.js";

function numbers(values: readonly number[]): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += 32) lines.push("        " + values.slice(i, i + 32).join(", "));
  return lines.join(",\n");
}

/** A constant table as a circom function returning an array (circom has no constant arrays at top level). */
export function arrayFunction(name: string, values: readonly number[], comment: string): string {
  return `// ${comment}\nfunction ${name}() {\n    return [\n${numbers(values.length ? values : [0])}\n    ];\n}`;
}

/**
 * `target` from the accumulator `acc` of layer i's output number `index`: requantized through
 * RequantInt8 (components rq<i>[]), or the exact accumulator.
 */
export function requantLines(l: { accBits: number; requant: Requant | null }, i: number, target: string, indent: string, index = "o"): string[] {
  if (!l.requant) return [`${indent}${target} <== acc;`];
  return [
    `${indent}rq${i}[${index}] = RequantInt8(${l.accBits}, ${l.requant.shift}, ${l.requant.relu ? 1 : 0}, ${l.requant.halfEven ? 1 : 0});`,
    `${indent}rq${i}[${index}].in <== acc;`,
    `${indent}${target} <== rq${i}[${index}].out;`,
  ];
}

/** An elementwise block: `a<i>[o] <== component(prev[o])` for every output, one component each. */
export function elementwiseLines(n: number, i: number, prev: string, component: string, make: string): string[] {
  return [
    `    signal a${i}[${n}];`,
    `    component ${component}${i}[${n}];`,
    `    for (var o = 0; o < ${n}; o++) {`,
    `        ${component}${i}[o] = ${make};`,
    `        ${component}${i}[o].in <== ${prev}[o];`,
    `        a${i}[o] <== ${component}${i}[o].out;`,
    `    }`,
  ];
}
