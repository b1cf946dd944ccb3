-- What an instance's cached listing pages are checked against
-- (store/catalog/listings.rs): an owner's newest event, found by this index,
-- and the number of catalog rebuilds, which change rows without events
-- (`vitrine reindex` adds one in its transaction).
CREATE INDEX events_by_owner ON events (owner, id);
CREATE TABLE catalog_rebuilds (n bigint NOT NULL);
INSERT INTO catalog_rebuilds VALUES (0);
