// One Vite project, two apps: the staff console (/console/) and the members' pages (/m/).
// The build goes into the Flask package, which serves it; nothing is loaded from elsewhere.
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig({
  root: here('.'),
  base: '/app/',
  plugins: [vue()],
  resolve: { alias: { '@shared': here('./shared') } },
  build: {
    outDir: here('../points_mall/web/dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: { console: here('./console/index.html'), member: here('./member/index.html') },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:5000', '/q': 'http://127.0.0.1:5000' } },
  test: { environment: 'node', include: ['**/*.test.js'], exclude: ['node_modules/**'] },
})
