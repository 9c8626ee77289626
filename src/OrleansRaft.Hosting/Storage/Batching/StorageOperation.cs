using Npgsql;
using NpgsqlTypes;

namespace OrleansRaft.Hosting.Storage.Batching;

/// <summary>What one storage request does to its row.</summary>
internal enum StorageOperationKind
{
    /// <summary>Reads the row.</summary>
    Read,

    /// <summary>Inserts the row at version 1; answers nothing when it exists.</summary>
    Insert,

    /// <summary>Replaces the row at exactly the version it was given; answers nothing otherwise.</summary>
    Update,

    /// <summary>Deletes the row at exactly the version it was given; answers nothing otherwise.</summary>
    Delete,

    /// <summary>Answers the row's version when it exists: a clear that expects no row checks that there is none.</summary>
    Probe,
}

/// <summary>A row as a statement answered it: its version and, for reads, its payload.</summary>
internal readonly record struct StorageRow(long Version, byte[]? Payload);

/// <summary>
/// One request of a grain to the batching provider: one statement, answering at most one row. It completes only
/// once the round trip that carried it committed.
/// </summary>
internal sealed class StorageOperation(
    StorageOperationKind kind, string serviceId, string stateName, string grainId, long version, byte[]? payload, CancellationToken cancellationToken)
{
    private readonly TaskCompletionSource<StorageRow?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StorageOperationKind Kind => kind;

    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>What the request weighs in a round trip: its payload and a little for the statement.</summary>
    public int Bytes => (payload?.Length ?? 0) + 64 + grainId.Length + stateName.Length;

    public Task<StorageRow?> Completion => _completion.Task;

    public bool IsCompleted => _completion.Task.IsCompleted;

    public void Succeed(StorageRow? row) => _completion.TrySetResult(row);

    public void Fail(Exception exception) => _completion.TrySetException(exception);

    public void Cancel() => _completion.TrySetCanceled(cancellationToken);

    /// <summary>The statement, with its parameters, as one command of a batch.</summary>
    public NpgsqlBatchCommand ToCommand()
    {
        var command = new NpgsqlBatchCommand(kind switch
        {
            StorageOperationKind.Read =>
                "SELECT version, payload FROM raft_grain_state WHERE service_id = $1 AND state_name = $2 AND grain_id = $3",
            StorageOperationKind.Insert =>
                "INSERT INTO raft_grain_state (service_id, state_name, grain_id, version, payload) VALUES ($1, $2, $3, 1, $4) " +
                "ON CONFLICT ON CONSTRAINT raft_grain_state_key DO NOTHING RETURNING version",
            StorageOperationKind.Update =>
                "UPDATE raft_grain_state SET version = version + 1, payload = $4 " +
                "WHERE service_id = $1 AND state_name = $2 AND grain_id = $3 AND version = $5 RETURNING version",
            StorageOperationKind.Delete =>
                "DELETE FROM raft_grain_state WHERE service_id = $1 AND state_name = $2 AND grain_id = $3 AND version = $4 RETURNING version",
            StorageOperationKind.Probe =>
                "SELECT version FROM raft_grain_state WHERE service_id = $1 AND state_name = $2 AND grain_id = $3",
            _ => throw new InvalidOperationException($"Unknown storage operation {kind}."),
        });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = stateName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = grainId });
        switch (kind)
        {
            case StorageOperationKind.Insert:
                command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = payload, NpgsqlDbType = NpgsqlDbType.Bytea });
                break;
            case StorageOperationKind.Update:
                command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = payload, NpgsqlDbType = NpgsqlDbType.Bytea });
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version });
                break;
            case StorageOperationKind.Delete:
                command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = version });
                break;
        }

        return command;
    }

    /// <summary>Reads the statement's answer from the current result of <paramref name="reader"/>: its row, or null.</summary>
    public async Task<StorageRow?> ReadAnswerAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var version = reader.GetInt64(0);
        var read = kind == StorageOperationKind.Read ? reader.GetFieldValue<byte[]>(1) : null;
        return new StorageRow(version, read);
    }
}
