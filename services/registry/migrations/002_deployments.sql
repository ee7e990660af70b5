-- The scheduler reports what Triton did: a failed load, an API outside its schedule window, and
-- which model version Triton serves now (it lags model_version_id while an update deploys).
ALTER TABLE published_apis DROP CONSTRAINT published_apis_status_check;
ALTER TABLE published_apis ADD CONSTRAINT published_apis_status_check CHECK (status IN (
    'building', 'updating', 'running', 'stopped', 'deleting', 'failed', 'outside_schedule'));
ALTER TABLE published_apis ADD COLUMN serving_model_version_id uuid REFERENCES model_versions;

DROP TRIGGER published_apis_changed ON published_apis;
-- trial_used changes on every trial request; watchers need not hear of it.
CREATE TRIGGER published_apis_changed
    AFTER INSERT OR DELETE OR UPDATE OF name, model_version_id, api_type, execution_type, instance_kind,
        instance_count, schedule_always, schedule_start, schedule_end, schedule_weekdays, status,
        status_message, public, locked, trial_limit, serving_model_version_id
    ON published_apis FOR EACH ROW EXECUTE FUNCTION notify_api_changed();
