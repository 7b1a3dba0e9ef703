// The Vant pieces only the 公示 pages use, loaded with them (not on the first page).
import Uploader from 'vant/es/uploader/index.mjs'
import 'vant/es/uploader/style/index.mjs'
import Radio from 'vant/es/radio/index.mjs'
import 'vant/es/radio/style/index.mjs'
import RadioGroup from 'vant/es/radio-group/index.mjs'
import 'vant/es/radio-group/style/index.mjs'

export { Uploader as VanUploader, Radio as VanRadio, RadioGroup as VanRadioGroup }
