-- Send history (issue 5): full-text search over subject and addresses, and the keyset indexes the
-- history list and export walk. Every list query orders by ("createdAt" DESC, "id" DESC), and each index
-- below ends with those two columns so a page is an index range scan that stops after N rows.

-- Immutable so it can feed a generated column. Addresses are split on punctuation ("ada.lovelace@contoso.com"
-- becomes ada lovelace contoso com), so a search for part of an address, a domain or a subject word
-- matches, and the simple configuration keeps names unstemmed.
CREATE FUNCTION "send_search_vector"(subject TEXT, from_address TEXT, to_addresses TEXT[], cc_addresses TEXT[], bcc_addresses TEXT[])
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT
    setweight(to_tsvector('simple'::regconfig, regexp_replace(coalesce(subject, ''), '[^[:alnum:]]+', ' ', 'g')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, regexp_replace(
      coalesce(from_address, '') || ' ' ||
      coalesce(array_to_string(to_addresses, ' '), '') || ' ' ||
      coalesce(array_to_string(cc_addresses, ' '), '') || ' ' ||
      coalesce(array_to_string(bcc_addresses, ' '), ''),
      '[^[:alnum:]]+', ' ', 'g')), 'B')
$$;

-- AlterTable
ALTER TABLE "Send" ADD COLUMN "searchVector" tsvector
  GENERATED ALWAYS AS ("send_search_vector"("subject", "fromAddress", "toAddresses", "ccAddresses", "bccAddresses")) STORED;

-- CreateIndex
CREATE INDEX "Send_searchVector_idx" ON "Send" USING GIN ("searchVector");

-- CreateIndex
CREATE INDEX "Send_createdAt_id_idx" ON "Send"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Send_status_createdAt_id_idx" ON "Send"("status", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Send_actorUserId_createdAt_id_idx" ON "Send"("actorUserId", "createdAt" DESC, "id" DESC);

-- Recipient filter: one GIN index over To, Cc and Bcc together (queried as the same expression with @>).
CREATE INDEX "Send_recipients_idx" ON "Send" USING GIN (("toAddresses" || "ccAddresses" || "bccAddresses"));

-- Sender filter: addresses compare case-insensitively (Exchange does), so the index is on lower().
CREATE INDEX "Send_fromAddress_lower_createdAt_id_idx" ON "Send"(lower("fromAddress"), "createdAt" DESC, "id" DESC);
