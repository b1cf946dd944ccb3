-- The catalog's reads (store/catalog/pg.rs): the name and size orders as
-- listings follow them (the lowercased name by code point, as Rust compares
-- strings, then newest first; the size, then newest first), and a trigram
-- index for searches, `lower(name) LIKE '%…%'`.

DROP INDEX artifacts_by_name;
CREATE INDEX artifacts_by_name ON artifacts (owner, (lower(name) COLLATE "C"), created_ns DESC, id DESC);
DROP INDEX artifacts_by_size;
CREATE INDEX artifacts_by_size ON artifacts (owner, size DESC, created_ns DESC, id DESC);

-- pg_trgm is a trusted extension (PostgreSQL 13 and later): a database's
-- owner may create it. In `public`, so that every schema of the database
-- (one per deployment or test) finds it; once made, it is wherever it was
-- made. Without it (no right, not installed) searches read the rows.
DO $$
DECLARE
    home text;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    EXCEPTION WHEN insufficient_privilege OR undefined_file OR invalid_schema_name OR feature_not_supported THEN
        RAISE NOTICE 'pg_trgm cannot be created (%): searches read every row of the listing', SQLERRM;
    END;
    SELECT n.nspname INTO home FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    IF home IS NOT NULL THEN
        EXECUTE format('CREATE INDEX artifacts_search ON artifacts USING gin (lower(name) %I.gin_trgm_ops)', home);
    END IF;
END
$$;
