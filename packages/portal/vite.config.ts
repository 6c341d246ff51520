import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The portal is served by the Zaqros server at `/` under a strict Content-Security-Policy
 * (`default-src 'self'`): the build must hold no inline script or style, so the module-preload
 * polyfill (an inline script) is off and every asset is a file, never a data: URI.
 */
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
});
