/**
 * What the browser tests and the browser bench share: Debian's Chromium driven by playwright-core,
 * and a way to draw a digit on the web example's pad.
 */
import { existsSync } from "node:fs";

export { buildWebExample, serveStatic, type StaticServer } from "../../examples/web/server.js";

export const CHROMIUM = process.env.ZKML_CHROMIUM ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** Headless Chromium as this machine runs it: no sandbox (root), no background network (closed network). */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Paint 28×28 values in [0, 1] onto the page's pad, one 10×10 square per pixel. */
export const PAINT_DIGIT = (values: number[]) => {
  const pad = document.getElementById("pad") as HTMLCanvasElement;
  const ctx = pad.getContext("2d")!;
  for (let i = 0; i < 784; i++) {
    const g = Math.round(values[i]! * 255);
    ctx.fillStyle = `rgb(${g},${g},${g})`;
    ctx.fillRect((i % 28) * 10, Math.floor(i / 28) * 10, 10, 10);
  }
};
