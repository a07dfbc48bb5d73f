import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

/** The models a task runs on: the one named, or every configured model. */
export function taskModels(hre: HardhatRuntimeEnvironment, model: string): string[] {
  if (model) return [hre.zkml.model(model).name];
  const names = Object.keys(hre.config.zkml.models);
  if (!names.length) throw new Error("zkml: no models configured: add zkml.models to hardhat.config.ts");
  return names;
}

/** One line of a task's progress, on stderr so stdout stays what the task prints as its result. */
export const say = (line: string): void => void process.stderr.write(line + "\n");
