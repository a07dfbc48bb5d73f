#!/usr/bin/env node
// `zkml`: in an installed package, the compiled CLI (dist/); in a checkout, which ships no dist
// until `npm run build`, the TypeScript source through tsx, so it is never a stale build.
import { existsSync } from "node:fs";

const source = new URL("../cli/main.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/cli/main.js", import.meta.url).href);
}
