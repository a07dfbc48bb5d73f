/** The child process of service/model_build.ts: compile and set up one uploaded model. */
import { compileModel, isZkmlError, setupModel } from "../src/index.js";
import type { ModelBuildLine, ModelBuildRequest } from "./model_build.js";

const say = (line: ModelBuildLine) => process.stdout.write(JSON.stringify(line) + "\n");

try {
  const req = JSON.parse(process.argv[2]!) as ModelBuildRequest;
  const t0 = performance.now();
  say({ stage: "compile" });
  await compileModel(req.onnx, {
    outDir: req.outDir,
    ...(req.calibrationFile && { calibrationFile: req.calibrationFile }),
    // The float comparison needs onnxruntime and is the client's to run: not a service's job.
    fidelity: false,
  });
  const t1 = performance.now();
  say({ stage: "setup" });
  await setupModel(req.outDir, { system: req.system });
  say({ done: { compile: t1 - t0, setup: performance.now() - t1 } });
  process.exit(0);
} catch (e) {
  process.stderr.write(`${isZkmlError(e) ? e.oneLine() : (e as Error).message}\n`);
  process.exit(isZkmlError(e) ? 2 : 1);
}
