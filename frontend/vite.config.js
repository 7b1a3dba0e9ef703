// One Vite project, two apps: the staff console (/console/) and the members' pages (/m/).
// The build goes into the Flask package, which serves it; nothing is loaded from elsewhere.
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))

// Vant's icon font is inlined as data: and falls back to a copy on at.alicdn.com. The pages load
// nothing from elsewhere (the Content-Security-Policy says font-src 'self' data:), so the fallback goes.
const ownFontsOnly = {
  postcssPlugin: 'own-fonts-only',
  Declaration: {
    src(decl) {
      if (decl.parent?.type !== 'atrule' || decl.parent.name !== 'font-face') return
      const sources = decl.value.split(/,(?![^(]*\))/)
      const own = sources.filter((s) => !/url\(\s*['"]?(https?:)?\/\//.test(s))
      if (own.length && own.length < sources.length) decl.value = own.join(',')
    },
  },
}

export default defineConfig({
  root: here('.'),
  base: '/app/',
  plugins: [vue()],
  resolve: { alias: { '@shared': here('./shared') } },
  css: { postcss: { plugins: [ownFontsOnly] } },
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
