// Activities: the organizer's calendar and roll, check-in (at the door and by the member's scan), leave,
// and attendance over a period.
import { getPage, http } from './client.js'

const activity = (id) => `/api/v1/activities/${id}`

/** A page of activities: {rows, total}. */
export const pageActivities = (query) => getPage('/api/v1/activities', query)
export const listActivities = (query) => http.get('/api/v1/activities', query)
export const getActivity = (id) => http.get(activity(id))
export const createActivity = (body) => http.post('/api/v1/activities', body)
export const updateActivity = (id, body) => http.patch(activity(id), body)
export const publishActivity = (id) => http.post(`${activity(id)}/publish`)
export const cancelActivity = (id, reason) => http.post(`${activity(id)}/cancel`, { reason })
export const saveMinutes = (id, minutes) => http.put(`${activity(id)}/minutes`, { minutes })
export const activityQr = (id) => http.get(`${activity(id)}/qr`)
/** The mini-program code for the current step (WeChat's getwxacodeunlimit): {scene, image, expires_in}. */
export const activityMiniProgramCode = (id) => http.get(`${activity(id)}/mp-code`)
export const attendanceRoll = (id) => http.get(`${activity(id)}/attendance`)
export const downloadAttendanceRoll = (id, filename) => http.download(`${activity(id)}/attendance`, { format: 'xlsx' }, filename)
/** A check-in at the door; the nonce makes a repeat of the same attempt change nothing. */
export const checkInAtDoor = (id, body) => http.post(`${activity(id)}/checkins`, body)
export const leaveRequests = (id) => http.get(`${activity(id)}/leave`)
/** how: approve | reject. */
export const decideLeave = (id, how) => http.post(`/api/v1/leave/${id}/${how}`)

// The member's side.
export const myActivities = (query) => http.get('/api/v1/me/activities', query)
export const myActivity = (id) => http.get(`/api/v1/me/activities/${id}`)
export const requestLeave = (id, reason) => http.post(`${activity(id)}/leave`, { reason })
export const webCheckin = (body) => http.post('/api/v1/checkins/web', body)

// Attendance over a period, per organisation.
export const attendanceReport = (query) => http.get('/api/v1/attendance', query)
export const downloadAttendanceReport = (query, filename) => http.download('/api/v1/attendance', { ...query, format: 'xlsx' }, filename)
