import type { ErrorCatalogue } from "../domain-error.ts";

export const DEVICE_ERRORS = {
  "DEVICE.NOT_FOUND": "No device has that id (or it belongs to someone else).",
  "DEVICE.LIMIT_REACHED": "The account already has as many devices as it may have.",
} as const satisfies ErrorCatalogue<string>;

export type DeviceErrorCode = keyof typeof DEVICE_ERRORS;
