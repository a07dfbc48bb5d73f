/**
 * The install step that builds the native addon (scripts/build_native.mjs) is optional: where the
 * compiler fails, it says so and exits 0, so `npm install` succeeds and zkml runs on WebAssembly.
 * Run on a copy of the sources, so the checkout's own addon is untouched.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { staleAddonReason } from "../../core/native.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const tmp = mkdtempSync(path.join(os.tmpdir(), "zkml-native-install-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyAndBuild(env: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmp, "pkg-"));
  cpSync(path.join(ROOT, "scripts/build_native.mjs"), path.join(dir, "scripts/build_native.mjs"));
  cpSync(path.join(ROOT, "native/binding.gyp"), path.join(dir, "native/binding.gyp"));
  cpSync(path.join(ROOT, "native/src"), path.join(dir, "native/src"), { recursive: true });
  const r = spawnSync(process.execPath, [path.join(dir, "scripts/build_native.mjs")], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 120_000 });
  return { ...r, built: existsSync(path.join(dir, "native/build/Release/zkml_native.node")) };
}

it("a compiler that fails: a warning, exit 0, no addon (zkml then runs on WebAssembly)", () => {
  const r = copyAndBuild({ CXX: "false", CC: "false" });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/native curve backend not built; WebAssembly will be used/);
  expect(r.built).toBe(false);
}, 120_000);

it("ZKML_SKIP_NATIVE=1: skipped, exit 0", () => {
  const r = copyAndBuild({ ZKML_SKIP_NATIVE: "1" });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/skipped \(ZKML_SKIP_NATIVE=1\)/);
  expect(r.built).toBe(false);
});

it("an addon older than one of its sources is not used: the reason names the source and the rebuild", () => {
  const dir = mkdtempSync(path.join(tmp, "stale-"));
  const [addon, a, b] = ["zkml_native.node", "msm.h", "binding.gyp"].map((f) => path.join(dir, f));
  for (const f of [addon!, a!, b!]) writeFileSync(f, "");
  const at = (f: string, seconds: number) => utimesSync(f, seconds, seconds);
  at(a!, 1000);
  at(b!, 1000);
  at(addon!, 2000);
  expect(staleAddonReason(addon!, [a!, b!, path.join(dir, "gone.h")])).toBeUndefined();
  at(a!, 3000);
  expect(staleAddonReason(addon!, [a!, b!])).toMatch(/older than its source msm\.h: `node scripts\/build_native\.mjs`/);
});
