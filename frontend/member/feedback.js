// Vant's toast and dialog functions, with their CSS loaded in vant.js.
export { showConfirmDialog } from 'vant/es/dialog/index.mjs'
export { showFailToast, showSuccessToast, showToast } from 'vant/es/toast/index.mjs'
