/**
 * A dApp's page bundled as its developer would, from the zkml a project has installed: with
 * esbuild (which does not follow `new Worker(new URL(…, import.meta.url))`, so the proving worker
 * is an entry point of its own and its URL is passed as `workerUrl`) and with webpack 5 (which
 * ships the worker by itself). Each writes `<outDir>/main.js` (and esbuild `prove_worker.js`).
 */
import path from "node:path";

/** What a page needs to know of its bundle: where its script is and which worker URL to pass, if any. */
export interface PageBundle {
  script: string;
  workerUrl?: string;
}

/** esbuild, resolving `zkml/browser` from `project`'s node_modules; served under `/<base>/`. */
export async function bundleWithEsbuild(project: string, entry: string, outDir: string, base: string): Promise<PageBundle> {
  const esbuild = await import("esbuild");
  await esbuild.build({
    absWorkingDir: project,
    entryPoints: { main: entry, prove_worker: "zkml/browser/worker" },
    bundle: true,
    format: "esm",
    platform: "browser",
    outdir: outDir,
    logLevel: "error",
  });
  return { script: `/${base}/main.js`, workerUrl: `/${base}/prove_worker.js` };
}

/** webpack 5 in production mode, resolving from `project`'s node_modules; served under `/<base>/`. */
export async function bundleWithWebpack(project: string, entry: string, outDir: string, base: string): Promise<PageBundle> {
  const { default: webpack } = await import("webpack");
  const compiler = webpack({
    mode: "production",
    context: project,
    entry: path.resolve(project, entry),
    output: { path: outDir, filename: "main.js", publicPath: `/${base}/` },
    resolve: { modules: [path.join(project, "node_modules")] },
    performance: { hints: false },
    // Minifying is the slow half of a production build and not what is tested here.
    optimization: { minimize: false },
  });
  const stats = await new Promise<import("webpack").Stats>((resolve, reject) => compiler.run((err, s) => (err || !s ? reject(err) : resolve(s))));
  await new Promise<void>((resolve) => compiler.close(() => resolve()));
  if (stats.hasErrors()) throw new Error(`webpack: ${stats.toString({ all: false, errors: true })}`);
  return { script: `/${base}/main.js` };
}
