-- The scheduler's workspace runner watches these (WatchWorkspaceChanges) and runs a pass at once,
-- rather than at its next interval. Status reports (the runner's own writes) are not changes.
CREATE FUNCTION notify_workspace_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('torii_workspace_changed', COALESCE(NEW.workspace_id, OLD.workspace_id));
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER workspaces_changed
    AFTER INSERT OR DELETE OR UPDATE OF generation, deleted_at
    ON workspaces FOR EACH ROW EXECUTE FUNCTION notify_workspace_changed();
