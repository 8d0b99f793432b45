import { defineConfig } from 'vite';

// Served by `zupy serve` at /admin; JSX is compiled for Preact by Vite's own transformer.
export default defineConfig({
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
