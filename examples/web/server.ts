/**
 * Serving the web example: its Vite build, and build folders beside it (only the files their
 * manifests list). Used by `npm run web`, the browser tests and the browser bench.
 */
import { createReadStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import http from "node:http";
import type net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * What a page built for one deployment trusts, fixed at build time: the build (its manifest's
 * sha256) and the verifier's address. A pinned page refuses a ?build= whose manifest differs and
 * an ?address= that is not its own, so a crafted link cannot point it at another circuit or
 * contract.
 */
export interface WebPins {
  manifestSha256?: string;
  verifier?: string;
}

/** Build examples/web into outDir (production build, as a user would deploy it), pinned to `pins` when given. */
export async function buildWebExample(outDir: string, pins: WebPins = {}): Promise<void> {
  const { build } = await import("vite");
  await build({
    configFile: path.join(ROOT, "examples/web/vite.config.ts"),
    build: { outDir, emptyOutDir: true },
    define: { __ZKML_PINS__: JSON.stringify(pins) },
    logLevel: "warn",
  });
}

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css",
  ".png": "image/png",
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `site` at "/" and each build folder at "/<name>/" (only the files its manifest lists);
 * `rewrite` may change a build's file on the way out (a tampered artifact).
 */
export async function serveStatic(
  site: string,
  builds: Record<string, string>,
  rewrite?: (build: string, file: string, bytes: Buffer) => Buffer,
  port = 0,
): Promise<StaticServer> {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://x");
      const parts = decodeURIComponent(url.pathname).split("/").filter(Boolean);
      if (parts.some((p) => p === ".." || p === ".")) return void res.writeHead(400).end();
      const build = parts[0] !== undefined ? builds[parts[0]] : undefined;
      if (build) {
        const name = parts.slice(1).join("/");
        const manifest = JSON.parse(await readFile(path.join(build, "manifest.json"), "utf8")) as {
          stages: Record<string, { outputs: Record<string, string> }>;
        };
        const listed = name === "manifest.json" || Object.values(manifest.stages).some((s) => name in s.outputs);
        if (!listed) return void res.writeHead(404).end();
        let bytes: Buffer = await readFile(path.join(build, name));
        if (rewrite) bytes = rewrite(parts[0]!, name, bytes);
        res.writeHead(200, { "content-type": TYPES[path.extname(name)] ?? "application/octet-stream", "content-length": bytes.length });
        return void res.end(bytes);
      }
      const file = path.join(site, parts.length ? parts.join("/") : "index.html");
      if (!existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      createReadStream(file).pipe(res);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
