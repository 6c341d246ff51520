export interface Device {
  id: string;
  accountId: string;
  username: string;
  realm: string;
  label: string | null;
  createdAt: string;
}

/** What the SIP edge needs to verify a digest response; never a password. */
export interface DeviceCredentials {
  deviceId: string;
  accountId: string;
  username: string;
  realm: string;
  ha1Md5: string;
  ha1Sha256: string;
}

/** A new device with its password, which is shown once and not kept. */
export interface ProvisionedDevice extends Device {
  password: string;
}
