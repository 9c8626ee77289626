-- Grain state for Microsoft.Orleans.Persistence.AdoNet.
--
-- One row per (service, state name, grain key). The provider passes the state name as GrainTypeString
-- and a string grain key as GrainIdExtensionString; the grain class is not part of the key. The key is
-- a real unique constraint, so two writers inserting the same record cannot both succeed: the loser's
-- INSERT finds the conflict and returns no version, which the provider reports as an
-- InconsistentStateException. NULLS NOT DISTINCT (PostgreSQL 15+) makes a NULL key extension one value.
--
-- The ETag is the integer version column: 1 on insert, +1 on every update. A write carrying a version
-- updates only the row at exactly that version; a write without one only inserts. The hash parameters
-- the provider also sends are not needed for lookups through the unique key and are not stored.
CREATE TABLE orleansstorage
(
    serviceid              varchar(150) NOT NULL,
    graintypestring        varchar(512) NOT NULL,
    grainidn0              bigint       NOT NULL,
    grainidn1              bigint       NOT NULL,
    grainidextensionstring varchar(512),
    version                integer      NOT NULL,
    payloadbinary          bytea,
    modifiedon             timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT orleansstorage_key
        UNIQUE NULLS NOT DISTINCT (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring)
);

-- Returns the new version in NewGrainStateVersion, or no row when the version (or the absence of a row)
-- did not match.
INSERT INTO orleansquery (querykey, querytext) VALUES ('WriteToStorageKey', $query$
WITH updated AS (
    UPDATE orleansstorage
    SET payloadbinary = @PayloadBinary, version = version + 1, modifiedon = now()
    WHERE @GrainStateVersion IS NOT NULL
      AND serviceid = @ServiceId
      AND graintypestring = @GrainTypeString
      AND grainidn0 = @GrainIdN0
      AND grainidn1 = @GrainIdN1
      AND (grainidextensionstring = @GrainIdExtensionString
           OR (@GrainIdExtensionString IS NULL AND grainidextensionstring IS NULL))
      AND version = @GrainStateVersion
    RETURNING version
), inserted AS (
    INSERT INTO orleansstorage (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring, version, payloadbinary)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString, 1, @PayloadBinary
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT ON CONSTRAINT orleansstorage_key DO NOTHING
    RETURNING version
)
SELECT version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT version FROM inserted
$query$);

-- A row whose payload is NULL (cleared without deletion) reads as a state that does not exist, with its version.
INSERT INTO orleansquery (querykey, querytext) VALUES ('ReadFromStorageKey', $query$
SELECT payloadbinary AS PayloadBinary, version AS Version
FROM orleansstorage
WHERE serviceid = @ServiceId
  AND graintypestring = @GrainTypeString
  AND grainidn0 = @GrainIdN0
  AND grainidn1 = @GrainIdN1
  AND (grainidextensionstring = @GrainIdExtensionString
       OR (@GrainIdExtensionString IS NULL AND grainidextensionstring IS NULL))
$query$);

-- Clearing keeps the row, so that its version keeps fencing writers that still hold an older one.
INSERT INTO orleansquery (querykey, querytext) VALUES ('ClearStorageKey', $query$
UPDATE orleansstorage
SET payloadbinary = NULL, version = version + 1, modifiedon = now()
WHERE serviceid = @ServiceId
  AND graintypestring = @GrainTypeString
  AND grainidn0 = @GrainIdN0
  AND grainidn1 = @GrainIdN1
  AND (grainidextensionstring = @GrainIdExtensionString
       OR (@GrainIdExtensionString IS NULL AND grainidextensionstring IS NULL))
  AND version = @GrainStateVersion
RETURNING version AS NewGrainStateVersion
$query$);

-- Used when the provider runs with DeleteStateOnClear. Returns a version that differs from the one
-- passed in, which the provider reads as success; no row means the version did not match.
INSERT INTO orleansquery (querykey, querytext) VALUES ('DeleteStorageKey', $query$
DELETE FROM orleansstorage
WHERE serviceid = @ServiceId
  AND graintypestring = @GrainTypeString
  AND grainidn0 = @GrainIdN0
  AND grainidn1 = @GrainIdN1
  AND (grainidextensionstring = @GrainIdExtensionString
       OR (@GrainIdExtensionString IS NULL AND grainidextensionstring IS NULL))
  AND version = @GrainStateVersion
RETURNING version + 1 AS NewGrainStateVersion
$query$);
