-- Credentials can be listed with when each was last used, revoked and given an expiry. Bearer
-- tokens and published APIs' keys may now expire too (Prediction One keys always did).
ALTER TABLE credentials ADD COLUMN last_used_at timestamptz;

-- last_used_at changes as credentials are used: watchers (the gateways' catalogs) need not hear
-- of it, only of changes that decide whether a key is accepted.
DROP TRIGGER credentials_changed ON credentials;
CREATE TRIGGER credentials_changed
    AFTER INSERT OR DELETE OR UPDATE OF credential_id, user_id, api_id, secret_sha256, purpose, expires_at,
        model_version_id, is_bootstrap
    ON credentials FOR EACH ROW EXECUTE FUNCTION notify_api_changed();
