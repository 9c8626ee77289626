using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansRaft.Hosting.Configuration;

namespace OrleansRaft.Testing;

/// <summary>Sets up an <see cref="InProcessTestCluster"/> whose silos host Raft groups.</summary>
public static class RaftTestClusterBuilderExtensions
{
    /// <summary>
    /// Configures every silo of <paramref name="builder"/> to host Raft groups (<c>AddOrleansRaft</c> with
    /// <paramref name="configure"/>) over one <see cref="RaftTestStorage"/> shared by all of them and registered under
    /// <see cref="OrleansRaftOptions.StorageProviderName"/>, and routes their Raft messages through one
    /// <see cref="Hosting.Transport.RaftFaultInjector"/>. Register state machines and groups in your own
    /// <c>ConfigureSilo</c>. Returns the shared pieces, for faults and inspection.
    /// </summary>
    /// <example><code>
    /// var builder = new InProcessTestClusterBuilder(3);
    /// var raft = builder.AddOrleansRaft(o => o.AdminToken = "test");
    /// builder.ConfigureSilo((_, silo) => silo.AddRaftStateMachine&lt;Ledger&gt;("ledger").AddRaftGroup("bank", [1, 2, 3], "ledger"));
    /// await using var cluster = builder.Build();
    /// await cluster.DeployAsync();
    /// var leader = await cluster.WaitForLeaderAsync("bank", [1, 2, 3], TimeSpan.FromSeconds(30));
    /// </code></example>
    public static RaftTestHarness AddOrleansRaft(this InProcessTestClusterBuilder builder, Action<OrleansRaftOptions>? configure = null, RaftTestStorage? storage = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var harness = new RaftTestHarness(storage ?? new RaftTestStorage(), new Hosting.Transport.RaftFaultInjector());
        builder.ConfigureSilo((_, silo) =>
        {
            var options = new OrleansRaftOptions();
            configure?.Invoke(options);
            silo.Services.AddKeyedSingleton<IGrainStorage>(options.StorageProviderName, harness.Storage);
            silo.AddOrleansRaft(configure);
            silo.AddRaftMessageFilter(harness.Faults);
        });
        return harness;
    }
}
