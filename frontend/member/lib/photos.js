// Evidence photos (申报、申诉的证明材料): each is uploaded as soon as it is picked, and the form sends
// the storage keys of those that arrived.
import { ApiError } from '@shared/api.js'
import { fileForm } from '@shared/api/client.js'
import { uploadMyPhoto } from '@shared/api/me.js'

export const TOO_LARGE = '图片不能超过2MB，请压缩后再上传'

// van-uploader's after-read: item is its file entry; say(message) shows (or clears) the field's error.
export async function uploadPhoto(item, say) {
  item.status = 'uploading'
  item.message = '上传中'
  say('')
  try {
    const out = await uploadMyPhoto(fileForm(item.file))
    Object.assign(item, { status: 'done', message: '', key: out.key, url: out.url })
  } catch (e) {
    item.status = 'failed'
    item.message = '上传失败'
    say(e instanceof ApiError ? e.message : '上传失败，请重试')
  }
}

export const photoKeys = (files) => files.filter((f) => f.status === 'done' && f.key).map((f) => f.key)
