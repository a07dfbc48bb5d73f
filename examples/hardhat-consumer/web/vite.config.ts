import { defineConfig } from "vite";

// The page and its proving worker are ES modules; the published build is served from web/public/.
export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  worker: { format: "es" },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4096 },
  server: { host: "127.0.0.1" },
});
