/**
 * Vite build of the SPA: `npx vite build --config web/vite.config.ts` writes web/dist, which
 * the appliance serves at `/`. JSX goes through Vite's built-in oxc transform (React's
 * automatic runtime), so no framework plugin is needed. `VELOX_DEV_API` points the dev
 * server's proxy at a running appliance (default http://127.0.0.1:8080).
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))
const api = process.env.VELOX_DEV_API ?? 'http://127.0.0.1:8080'

export default defineConfig({
  root,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  server: { proxy: { '/api': api, '/v1': api, '/s/': api } },
})
