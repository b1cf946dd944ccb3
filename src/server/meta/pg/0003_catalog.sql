-- The artifact index as rows (docs/scaling.md, "Metadata", step 7): every
-- version, and per artifact its latest version's fields for listings. Rows
-- are written in the ingest's transaction with its message, so whatever an
-- instance stores, every instance finds. `created_at` is the RFC 3339 text
-- the code wrote (shown as it was written); `created_ns` is the same time in
-- nanoseconds since the epoch, the order listings follow: the text has no
-- fixed width (trailing zeros of the fraction are dropped), so it does not
-- sort as the time does.

CREATE TABLE artifacts (
    id uuid PRIMARY KEY,
    owner uuid NOT NULL REFERENCES users (id),
    conversation_id uuid NOT NULL REFERENCES conversations (id),
    path text NOT NULL,
    -- The latest version (its id); kept by the code, which writes both.
    latest uuid NOT NULL,
    -- The number the next version gets: never one given before, even after
    -- the latest was deleted or the instances restarted.
    next_version integer NOT NULL,
    version_count integer NOT NULL,
    name text NOT NULL,
    kind smallint NOT NULL,
    size bigint NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    created_ns bigint NOT NULL
);
CREATE INDEX artifacts_by_owner ON artifacts (owner, created_ns DESC, id DESC);
CREATE INDEX artifacts_by_owner_kind ON artifacts (owner, kind, created_ns DESC, id DESC);
CREATE INDEX artifacts_by_conversation ON artifacts (conversation_id, created_ns DESC, id DESC);
CREATE INDEX artifacts_by_conversation_kind ON artifacts (conversation_id, kind, created_ns DESC, id DESC);
CREATE INDEX artifacts_by_name ON artifacts (owner, lower(name), id);
CREATE INDEX artifacts_by_size ON artifacts (owner, size DESC, id);
CREATE INDEX artifacts_by_path ON artifacts (conversation_id, path text_pattern_ops);

CREATE TABLE versions (
    id uuid PRIMARY KEY,
    artifact_id uuid NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,
    version integer NOT NULL,
    conversation_id uuid NOT NULL REFERENCES conversations (id),
    message_id uuid NOT NULL,
    name text NOT NULL,
    path text NOT NULL,
    size bigint NOT NULL,
    mime_type text NOT NULL,
    kind smallint NOT NULL,
    tool text NOT NULL,
    sha256 text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    created_ns bigint NOT NULL,
    UNIQUE (artifact_id, version)
);

-- The gallery's tab counts, kept with the rows they count: per owner, per
-- kind, and per scope — a conversation's id, or `u0` … `u7`, eight shards
-- of the owner's total (shard = conversation % 8, summed when read), so that
-- one user's ingests into different conversations do not all wait on one
-- row's lock.
CREATE TABLE artifact_counts (
    owner uuid NOT NULL REFERENCES users (id),
    scope text NOT NULL,
    kind smallint NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (owner, scope, kind)
);
