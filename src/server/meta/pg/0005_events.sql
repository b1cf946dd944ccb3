-- The events every instance streams (`GET /api/events`), written by the
-- transaction of the change they tell of (`pg/events.rs`) and told to every
-- instance's listener by a NOTIFY on `vitrine_events` naming their ids.
-- Numbered in commit order: writers take one advisory lock from the insert
-- to their commit. `vitrine gc` deletes the rows older than the instances
-- keep events for.
CREATE TABLE events (
    id bigserial PRIMARY KEY,
    kind text NOT NULL,
    owner uuid NOT NULL,
    conversation_id uuid NOT NULL,
    artifact_id uuid,
    data text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
