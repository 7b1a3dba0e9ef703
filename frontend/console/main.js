// The staff console (工作台): Vue 3 + Element Plus in Chinese. The whole Element Plus is registered:
// the console is a desktop tool first and its chunk is cached for a year; pages load on first visit.
import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import * as Icons from '@element-plus/icons-vue'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { makeRouter } from './router.js'
import './shell/console.css'

const app = createApp(App)
// Menu items name their icon as a string (route meta.icon), so every icon is registered by name.
for (const [name, component] of Object.entries(Icons)) app.component(name, component)
app.use(createPinia()).use(ElementPlus, { locale: zhCn }).use(makeRouter()).mount('#app')
