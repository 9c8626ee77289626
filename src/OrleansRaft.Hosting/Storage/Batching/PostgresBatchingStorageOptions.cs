namespace OrleansRaft.Hosting.Storage.Batching;

/// <summary>Settings of <see cref="PostgresBatchingGrainStorage"/>.</summary>
public sealed class PostgresBatchingStorageOptions
{
    /// <summary>The PostgreSQL connection string; <see cref="PostgresConnectionTuning"/>'s settings are added where it does not set them.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// How many round trips may be in flight at once, each on its own connection. Requests that arrive while every
    /// lane is busy wait for the next free lane and share its round trip.
    /// </summary>
    public int Lanes { get; set; } = 2;

    /// <summary>At most this many requests share one round trip.</summary>
    public int MaxBatchOperations { get; set; } = 256;

    /// <summary>
    /// A round trip takes no further request once its payloads reach this many bytes, so one large snapshot chunk
    /// does not hold many small log writes behind it for long. A single larger request still goes, alone.
    /// </summary>
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Throws when a setting is out of range, naming it.</summary>
    public void Validate(string providerName)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException($"The storage provider '{providerName}' needs a PostgreSQL connection string.");
        }

        if (Lanes < 1 || MaxBatchOperations < 1 || MaxBatchBytes < 1)
        {
            throw new ArgumentException(
                $"The storage provider '{providerName}' needs Lanes, MaxBatchOperations and MaxBatchBytes of at least 1 " +
                $"(got {Lanes}, {MaxBatchOperations}, {MaxBatchBytes}).");
        }
    }
}
