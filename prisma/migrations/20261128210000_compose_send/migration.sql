-- Compose and send (issue 4): Reply-To addresses on a send, and which Graph operation each attempt was
-- (sendMail, createDraft, createUploadSession, upload, send, deleteDraft, token) so the log reads as a story.
ALTER TABLE "Send" ADD COLUMN "replyToAddresses" TEXT[] DEFAULT ARRAY[]::TEXT[];

ALTER TABLE "SendAttempt" ADD COLUMN "operation" TEXT;
