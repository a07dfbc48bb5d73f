/** Opening a build folder that has been compiled and set up, with every cross-check done. */
import { readFile } from "node:fs/promises";
import { openCompiled, type CompiledModel } from "../core/compiled.js";
import { requireConsistent, requireStage, type StageRecord } from "../core/manifest.js";
import type { SetupInfo } from "./setup.js";

export interface ReadyModel extends CompiledModel {
  setup: StageRecord;
  setupInfo: SetupInfo;
  verificationKey: unknown;
}

/** A build folder that is compiled and set up, with every file checked against the manifest (a stale key is refused). */
export async function openReady(dir: string): Promise<ReadyModel> {
  const compiled = await openCompiled(dir);
  const setup = await requireStage(dir, compiled.manifest, "setup");
  requireConsistent(dir, "setup", setup, compiled.compile);
  const verificationKey = JSON.parse(await readFile(compiled.file("vkey"), "utf8"));
  return { ...compiled, setup, setupInfo: setup.info as unknown as SetupInfo, verificationKey };
}
