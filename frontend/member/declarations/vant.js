// The Vant pieces only the declaration pages use, loaded with them (not on the first page).
import Uploader from 'vant/es/uploader/index.mjs'
import 'vant/es/uploader/style/index.mjs'
import Popup from 'vant/es/popup/index.mjs'
import 'vant/es/popup/style/index.mjs'
import Picker from 'vant/es/picker/index.mjs'
import 'vant/es/picker/style/index.mjs'
import DatePicker from 'vant/es/date-picker/index.mjs'
import 'vant/es/date-picker/style/index.mjs'
import 'vant/es/image-preview/style/index.mjs'

export { showImagePreview } from 'vant/es/image-preview/index.mjs'
export { Uploader as VanUploader, Popup as VanPopup, Picker as VanPicker, DatePicker as VanDatePicker }
