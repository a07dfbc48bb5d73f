/** The circom of pooling windows, shared by the pool kinds: the geometry is the interpreter's own (poolWindows). */
import { commentText } from "../inert.js";
import { poolWindows, sizeOf, type LayerBase, type Window2d } from "../ir.js";
import { arrayFunction } from "./circom.js";

/** The windows come from the same function the reference interpreter uses: one geometry. */
export function windowFunctions(l: Window2d & LayerBase, i: number): string[] {
  const { cells } = poolWindows(l);
  const starts = [0];
  for (const c of cells) starts.push(starts.at(-1)! + c.length);
  return [
    arrayFunction(`Cells${i}`, cells.flat(), `Layer ${i}: ${commentText(l.node)}, input indices of every window (padding left out).`),
    arrayFunction(`CellStart${i}`, starts, `Layer ${i}: where each output's window starts in Cells${i}.`),
  ];
}

/** A pool layer's opening lines: its comment, its window tables as vars, its output signals. */
export function poolHead(l: Window2d & LayerBase & { op: string }, i: number): string[] {
  const n = sizeOf(l.outShape);
  return [
    `    // ${commentText(l.node)}: ${l.op} [${l.inShape}] -> [${l.outShape}], kernel ${l.kernel}, stride ${l.strides}, pads ${l.pads}`,
    `    var cells${i}[${poolWindows(l).cells.flat().length || 1}] = Cells${i}();`,
    `    var start${i}[${n + 1}] = CellStart${i}();`,
    `    signal a${i}[${n}];`,
  ];
}
