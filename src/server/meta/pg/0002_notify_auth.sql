-- Every deletion of a token or session, by any instance or command, is told
-- to every instance's listener (pg/listen.rs), which drops the credentials
-- it cached: a NOTIFY on `vitrine_auth`, sent at commit. Its payload is the
-- schema's name, because instances of other schemas may share the database,
-- whose channels are the same for all of them (a channel's name is as short
-- as a schema's, so it cannot hold one). This replaces the counter that
-- instances polled.
CREATE FUNCTION notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vitrine_auth', TG_TABLE_SCHEMA);
    RETURN NULL;
END
$$;
DROP TRIGGER token_deleted ON tokens;
DROP TRIGGER session_deleted ON sessions;
DROP FUNCTION count_auth_change();
DROP TABLE auth_changes;
CREATE TRIGGER token_deleted AFTER DELETE ON tokens FOR EACH ROW EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER session_deleted AFTER DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION notify_auth_change();
