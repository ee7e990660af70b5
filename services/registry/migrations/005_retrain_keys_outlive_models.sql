-- A retrain key outlives the model version it retrains: used after the model was deleted, it
-- answers the contract's "This model may be deleted." instead of passing for an unknown key.
ALTER TABLE credentials DROP CONSTRAINT credentials_retrain_model_check;
ALTER TABLE credentials ADD CONSTRAINT credentials_retrain_model_check
    CHECK (purpose IS NOT DISTINCT FROM 'retrain' OR model_version_id IS NULL);
ALTER TABLE credentials DROP CONSTRAINT credentials_model_version_id_fkey;
ALTER TABLE credentials ADD CONSTRAINT credentials_model_version_id_fkey
    FOREIGN KEY (model_version_id) REFERENCES model_versions ON DELETE SET NULL;
