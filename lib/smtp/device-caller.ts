/**
 * An SMTP device as the relay hands it to lib/sends/queue-send.ts once it has authenticated (AUTH, or
 * its source address for an IP-only device): the principal of a mode "smtp" send.
 */
export interface DeviceCaller {
  id: string;
  name: string;
  tenantId: string;
}
