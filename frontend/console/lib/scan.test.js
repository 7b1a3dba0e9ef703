// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { cameraScanAvailable, cleanPickupCode, pickupCodeComplete } from './scan.js'

describe('pickup codes at the counter', () => {
  it('keeps the digits a scanner or a hand typed, at most 8', () => {
    expect(cleanPickupCode(' 1234 5678\n')).toBe('12345678')
    expect(cleanPickupCode('123456789')).toBe('12345678')
    expect(cleanPickupCode(null)).toBe('')
  })
  it('is complete at exactly 8 digits', () => {
    expect(pickupCodeComplete('12345678')).toBe(true)
    expect(pickupCodeComplete('1234567')).toBe(false)
    expect(pickupCodeComplete('1234567a')).toBe(false)
  })
})

describe('the camera', () => {
  it('is offered only where the browser can read a QR code', () => {
    expect(cameraScanAvailable({ navigator: {} })).toBe(false)
    const media = { navigator: { mediaDevices: { getUserMedia() {} } } }
    expect(cameraScanAvailable(media)).toBe(false)
    expect(cameraScanAvailable({ ...media, BarcodeDetector: function () {} })).toBe(true)
  })
})
