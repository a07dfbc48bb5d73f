import { defineConfig } from "vite";

// The page imports zkml's browser entry from source; the proving worker is an ES module.
export default defineConfig({
  root: import.meta.dirname,
  base: "./",
  worker: { format: "es" },
  // Unpinned unless built for one deployment (server.ts buildWebExample's pins).
  define: { __ZKML_PINS__: "{}" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4096,
    // The dApp's three pages, and a page the browser bench drives.
    rollupOptions: {
      input: {
        main: `${import.meta.dirname}/index.html`,
        appraisal: `${import.meta.dirname}/appraisal.html`,
        sales: `${import.meta.dirname}/sales.html`,
        bench: `${import.meta.dirname}/bench.html`,
      },
    },
  },
  server: { host: "127.0.0.1" },
});
