// The shop the keeper works in: the shops they keep, the choice remembered
// on this computer so the counter opens on the same shop tomorrow.
import { ref } from 'vue'
import { keptShops } from '@shared/api/mall.js'

const KEY = 'pm.console.shop'
const shops = ref([])
const shopId = ref(null)
let loading = null

export function useShop() {
  async function load() {
    loading = loading || keptShops().then((list) => {
      shops.value = list
      const saved = Number(localStorage.getItem(KEY))
      shopId.value = list.some((s) => s.id === saved) ? saved : (list[0] ? list[0].id : null)
    }).finally(() => { loading = null })
    return loading
  }
  function choose(id) {
    shopId.value = id
    localStorage.setItem(KEY, String(id))
  }
  return { shops, shopId, load, choose }
}
