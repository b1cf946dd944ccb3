-- Tombstones of deleted versions (docs/scaling.md, "Commands"): written by
-- the transaction that deletes a version's row, before its objects go, so
-- that `vitrine reindex` never brings back a version whose objects a crash
-- left in the store, and `vitrine gc` knows whose objects to remove. Each
-- keeps its artifact and number: a reindex never gives that number again.
-- `vitrine gc` deletes a tombstone once its objects are gone.
CREATE TABLE deleted_versions (
    id uuid PRIMARY KEY,
    artifact_id uuid NOT NULL,
    version integer NOT NULL,
    deleted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deleted_versions_by_artifact ON deleted_versions (artifact_id);
