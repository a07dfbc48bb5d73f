/**
 * snarkjs keeps the bn128 curve (and its worker threads) in a global so repeated calls are
 * fast; those threads keep a process alive. A CLI verb releases them when it is done.
 */
export async function releaseCurves(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } };
  if (g.curve_bn128) {
    const c = g.curve_bn128;
    g.curve_bn128 = undefined;
    await c.terminate();
  }
}
