using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Hosting.Storage.Batching;

namespace Orleans.Hosting;

/// <summary>Registers grain storage providers for Raft logs.</summary>
public static class RaftLogStorageSiloBuilderExtensions
{
    /// <summary>
    /// Makes the storage provider <paramref name="providerName"/> serialize with Orleans' binary serializer instead
    /// of the JSON default. Providers that take their serializer from options pick the one registered under their name.
    /// </summary>
    public static IServiceCollection AddBinaryGrainStorageSerializer(this IServiceCollection services, string providerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        services.AddKeyedSingleton<IGrainStorageSerializer>(
            providerName, (provider, _) => new OrleansGrainStorageSerializer(provider.GetRequiredService<Serializer>()));
        return services;
    }

    /// <summary>
    /// Adds an ADO.NET grain storage provider named <paramref name="name"/> on PostgreSQL, set up for Raft logs:
    /// the Npgsql invariant, Orleans' binary serializer, and rows deleted on clear (the records a snapshot
    /// replaces go away rather than stay as empty rows). The provider's connections use
    /// <see cref="PostgresConnectionTuning"/>'s settings wherever <paramref name="connectionString"/> does not set them.
    /// With <paramref name="applySchema"/>, the silo applies the project's schema when it starts, before any provider
    /// reads its queries.
    /// </summary>
    public static ISiloBuilder AddRaftPostgresStorage(this ISiloBuilder builder, string name, string connectionString, bool applySchema = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.AddAdoNetGrainStorage(name, options =>
        {
            options.Invariant = "Npgsql";
            options.ConnectionString = PostgresConnectionTuning.Apply(connectionString);
            options.DeleteStateOnClear = true;
        });
        builder.Services.AddBinaryGrainStorageSerializer(name);
        if (applySchema)
        {
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(
                provider => new PostgresSchemaStartup(connectionString, provider.GetRequiredService<ILogger<PostgresSchemaStartup>>()));
        }

        return builder;
    }

    /// <summary>
    /// Adds OrleansRaft's own PostgreSQL grain storage provider named <paramref name="name"/>
    /// (<see cref="PostgresBatchingGrainStorage"/>): the storage requests of all the silo's grains share round trips
    /// and commits, so the log writes of many groups cost about one. It uses Orleans' binary serializer, deletes rows
    /// on clear, and tunes its connections as <see cref="AddRaftPostgresStorage"/> does. With
    /// <paramref name="applySchema"/>, the silo applies the project's schema when it starts.
    /// </summary>
    public static ISiloBuilder AddRaftPostgresBatchingStorage(
        this ISiloBuilder builder, string name, string connectionString, bool applySchema = true, Action<PostgresBatchingStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new PostgresBatchingStorageOptions { ConnectionString = connectionString };
        configure?.Invoke(options);
        options.Validate(name);
        builder.Services.AddBinaryGrainStorageSerializer(name);
        builder.Services.AddGrainStorage(name, (provider, key) => new PostgresBatchingGrainStorage(
            key,
            provider.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
            provider.GetRequiredKeyedService<IGrainStorageSerializer>(key),
            new StorageBatcher(key, options, provider.GetService<IMeterFactory>())));
        if (applySchema)
        {
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(
                provider => new PostgresSchemaStartup(connectionString, provider.GetRequiredService<ILogger<PostgresSchemaStartup>>()));
        }

        return builder;
    }
}
