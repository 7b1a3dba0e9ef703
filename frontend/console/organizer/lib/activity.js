// The activity form ↔ the API's body. Pure, so Vitest checks the geofence and time handling.

/** Form state from an activity (or a fresh form, starting at the next full hour, lasting 2 hours). */
export function formFromActivity(a, ruleCode = null) {
  if (!a) {
    const start = new Date()
    start.setMinutes(0, 0, 0)
    start.setHours(start.getHours() + 1)
    return {
      org_id: null, kind: 'theme_day', title: '', description: '', place: '', starts_at: start,
      ends_at: new Date(start.getTime() + 2 * 3600 * 1000), capacity: undefined, open_to_volunteers: false,
      rule_code: null, latitude: '', longitude: '', radius_m: '',
    }
  }
  return {
    org_id: a.org_id, kind: a.kind, title: a.title, description: a.description, place: a.place,
    starts_at: new Date(a.starts_at), ends_at: new Date(a.ends_at), capacity: a.capacity ?? undefined,
    open_to_volunteers: a.open_to_volunteers, rule_code: ruleCode,
    latitude: a.latitude ?? '', longitude: a.longitude ?? '', radius_m: a.radius_m ?? '',
  }
}

const num = (v) => (v === '' || v === null || v === undefined ? null : Number(v))
const iso = (d) => (d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : null)

/** The body for POST/PATCH /activities. Without a geofence the three fields are sent as null, so an
 *  edit can remove one; with it, what was typed goes as numbers and the API says what is wrong. */
export function activityBody(form, fence) {
  return {
    kind: form.kind, title: form.title.trim(), description: form.description, place: form.place.trim(),
    starts_at: iso(form.starts_at), ends_at: iso(form.ends_at), capacity: form.capacity ?? null,
    open_to_volunteers: form.open_to_volunteers, rule_code: form.rule_code || null,
    latitude: fence ? num(form.latitude) : null,
    longitude: fence ? num(form.longitude) : null,
    radius_m: fence ? num(form.radius_m) : null,
  }
}
