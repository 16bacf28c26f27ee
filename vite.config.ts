import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer is one static site: `npm run web` serves it, `build:web`
// writes dist-web/ with relative URLs so Electron can load it from disk.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  publicDir: false,
  build: {
    outDir: '../dist-web',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2500,
  },
  server: { port: 5173, strictPort: false },
  preview: { port: 4173, strictPort: false },
});
