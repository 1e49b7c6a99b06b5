-- A grant names exactly one principal, devices included (20261205100000_smtp_devices added
-- SenderGrant.deviceId but left the check at three principals, so no device grant could be written).
-- Idempotent: another branch may make the same fix.
ALTER TABLE "SenderGrant" DROP CONSTRAINT IF EXISTS "SenderGrant_one_principal";
ALTER TABLE "SenderGrant" ADD CONSTRAINT "SenderGrant_one_principal"
  CHECK (num_nonnulls("userId", "groupId", "apiKeyId", "deviceId") = 1);
