-- Grain state for OrleansRaft's batching PostgreSQL provider (PostgresBatchingGrainStorage).
--
-- One row per (service, state name, grain id); the grain id is Orleans' string form, "type/key". The ETag is
-- the version column: 1 on insert, +1 on every update. A write carrying a version updates only the row at
-- exactly that version; a write without one only inserts, and the primary key makes the second of two
-- inserters find the conflict. A clear deletes the row at its version. Each statement answers the new
-- version, or no row when the version (or the absence of a row) did not match, so one mismatch never
-- aborts the other writes that share its round trip.
CREATE TABLE raft_grain_state
(
    service_id varchar(150) NOT NULL,
    state_name varchar(512) NOT NULL,
    grain_id   text         NOT NULL,
    version    bigint       NOT NULL,
    payload    bytea        NOT NULL,
    CONSTRAINT raft_grain_state_key PRIMARY KEY (service_id, state_name, grain_id)
);
