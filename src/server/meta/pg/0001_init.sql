-- Users and their credentials, conversations and their transcripts, share
-- links, and the settings every instance shares (docs/scaling.md,
-- "Metadata"). Times that are shown are RFC 3339 text as the code wrote them,
-- sorted byte by byte as SQLite does (COLLATE "C"); times that are compared
-- are Unix seconds. `seq` keeps the order of insertion, SQLite's rowid.

CREATE TABLE users (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at text COLLATE "C" NOT NULL
);

CREATE TABLE tokens (
    id uuid PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    hash text NOT NULL UNIQUE,
    user_id uuid NOT NULL REFERENCES users (id),
    name text NOT NULL,
    scope text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    expires_at bigint,
    last_used_at bigint
);
CREATE INDEX tokens_by_user ON tokens (user_id);

CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    hash text NOT NULL UNIQUE,
    user_id uuid NOT NULL REFERENCES users (id),
    created_at text COLLATE "C" NOT NULL,
    expires_at bigint NOT NULL,
    user_agent text NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Every deletion of a token or session, by any instance, counts here; each
-- instance watches the count to drop the credentials it cached.
CREATE TABLE auth_changes (n bigint NOT NULL);
INSERT INTO auth_changes VALUES (0);
CREATE FUNCTION count_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_changes SET n = n + 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER token_deleted AFTER DELETE ON tokens FOR EACH ROW EXECUTE FUNCTION count_auth_change();
CREATE TRIGGER session_deleted AFTER DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION count_auth_change();

CREATE TABLE conversations (
    id uuid PRIMARY KEY,
    owner uuid NOT NULL REFERENCES users (id),
    title text NOT NULL,
    created_at text COLLATE "C" NOT NULL
);
CREATE INDEX conversations_by_owner ON conversations (owner, created_at DESC);

CREATE TABLE messages (
    seq bigserial PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    conversation_id uuid NOT NULL REFERENCES conversations (id),
    tool text NOT NULL,
    content text NOT NULL,
    artifact_ids uuid[] NOT NULL,
    created_at text COLLATE "C" NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);

-- Share links: the token's hash, what it shows, and how often it was opened.
-- Revoked links stay, marked, so their owner still sees them listed.
CREATE TABLE shares (
    id uuid PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    hash text NOT NULL UNIQUE,
    user_id uuid NOT NULL REFERENCES users (id),
    kind text NOT NULL,
    conversation_id uuid NOT NULL,
    artifact_id uuid,
    version bigint,
    folder text,
    label text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    expires_at bigint,
    revoked_at text,
    access_count bigint NOT NULL DEFAULT 0,
    last_accessed_at text
);
CREATE INDEX shares_by_user ON shares (user_id);

-- What every instance must agree on: the content key (`content_key`).
CREATE TABLE settings (
    name text PRIMARY KEY,
    value bytea NOT NULL
);
