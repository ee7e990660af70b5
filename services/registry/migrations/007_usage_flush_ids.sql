-- Each batch of usage counts a gateway sends names itself: a batch sent again (a retry after a
-- timeout whose first try did commit, or one replayed from a gateway's spool) is applied once.
-- Ids older than the longest a spool is kept are pruned as new batches arrive.
CREATE TABLE usage_flushes (
    flush_id    uuid PRIMARY KEY,
    applied_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX usage_flushes_applied_at ON usage_flushes (applied_at);
