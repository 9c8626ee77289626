using Microsoft.Extensions.Logging;

namespace OrleansRaft.Hosting.Storage;

/// <summary>Applies the PostgreSQL schema as the silo starts, before storage and clustering providers initialize.</summary>
internal sealed class PostgresSchemaStartup(string connectionString, ILogger<PostgresSchemaStartup> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresSchemaStartup), ServiceLifecycleStage.RuntimeInitialize, async cancellationToken =>
        {
            var applied = await PostgresSchema.ApplyAsync(connectionString, cancellationToken);
            LogMessages.SchemaApplied(logger, applied.Count, string.Join(", ", applied));
        });
}
