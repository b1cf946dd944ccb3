-- Sign-in attempts counted for all instances together (auth/limits.rs):
-- per key (a SHA-256 of an account name or of a client address), the
-- theoretical arrival time of the generic cell rate algorithm, as governor
-- keeps it in one instance's memory. A row whose time has passed counts as
-- no row; attempts delete such rows as they go.
CREATE TABLE sign_in_limits (
    key text PRIMARY KEY,
    tat timestamptz NOT NULL
);
CREATE INDEX sign_in_limits_by_tat ON sign_in_limits (tat);
