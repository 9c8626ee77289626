using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Balancing;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Groups;
using OrleansRaft.Hosting.Members;
using OrleansRaft.Hosting.Placement;
using OrleansRaft.Hosting.Quiescence;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Hosting.Transport;

namespace Orleans.Hosting;

/// <summary>Adds Raft groups to a silo.</summary>
public static class OrleansRaftSiloBuilderExtensions
{
    /// <summary>
    /// Hosts Raft member and group grains on this silo. The storage provider named by
    /// <see cref="OrleansRaftOptions.StorageProviderName"/> must be registered too, and every state machine type a
    /// group uses (<see cref="AddRaftStateMachine{T}"/>).
    /// </summary>
    public static ISiloBuilder AddOrleansRaft(this ISiloBuilder builder, Action<OrleansRaftOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOrleansRaft(configure);
        return builder;
    }

    public static IServiceCollection AddOrleansRaft(this IServiceCollection services, Action<OrleansRaftOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<OrleansRaftOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton<IConfigurationValidator, OrleansRaftOptionsValidator>();
        services.AddSingleton<IConfigurationValidator, RaftSiloValidator>();
        services.TryAddSingleton<RaftMetrics>();
        services.TryAddSingleton<RaftLocalMembers>();
        services.TryAddSingleton<IRaftLocalLeaders>(sp => sp.GetRequiredService<RaftLocalMembers>());
        services.TryAddSingleton<RaftQuietFollowers>();
        services.TryAddSingleton<RaftSiloLivenessClient>();
        services.AddGrainService<RaftSiloLiveness>();
        services.TryAddSingleton<RaftSiloTransportClient>();
        services.TryAddSingleton<RaftOutbox>();
        services.AddGrainService<RaftSiloTransport>();
        services.TryAddSingleton<RaftLeaderBalancerClient>();
        services.AddGrainService<RaftLeaderBalancer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RaftLeadershipHandoff>();
        services.TryAddSingleton<IRaftMessageFilter>(PassThroughMessageFilter.Instance);
        services.AddPlacementDirector<RaftGroupPlacementStrategy, RaftGroupPlacementDirector>();
        services.AddSingleton<IIncomingGrainCallFilter, StorageFailureCallFilter>();
        return services;
    }

    /// <summary>
    /// Registers the state machine of groups created with <paramref name="stateMachineType"/>: each member activation
    /// gets its own instance from the container.
    /// </summary>
    public static ISiloBuilder AddRaftStateMachine<T>(this ISiloBuilder builder, string stateMachineType)
        where T : class, IRaftStateMachine
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(stateMachineType);
        builder.Services.AddKeyedTransient<IRaftStateMachine, T>(stateMachineType);
        return builder;
    }

    /// <summary>As <see cref="AddRaftStateMachine{T}"/>, with a factory.</summary>
    public static ISiloBuilder AddRaftStateMachine(this ISiloBuilder builder, string stateMachineType, Func<IServiceProvider, IRaftStateMachine> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(stateMachineType);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddKeyedTransient(stateMachineType, (provider, _) => factory(provider));
        return builder;
    }

    /// <summary>
    /// Creates the group <paramref name="groupId"/> of <paramref name="members"/>, running the state machine registered
    /// as <paramref name="stateMachineType"/>, once the silo runs and enough silos are active
    /// (<see cref="RaftGroupStartupOptions"/>; <see cref="RaftGroupStartup"/> tells when). Call it with the same groups on
    /// every silo: creation is idempotent, and a group that exists with another definition is logged and left alone.
    /// Creating is an admin call, so <see cref="OrleansRaftOptions.AdminToken"/> must be set.
    /// </summary>
    /// <example><code>
    /// siloBuilder.AddRaftStateMachine&lt;LedgerStateMachine&gt;("ledger")
    ///            .AddRaftGroup("bank", [1, 2, 3], "ledger");
    /// </code></example>
    public static ISiloBuilder AddRaftGroup(this ISiloBuilder builder, string groupId, IReadOnlyList<ulong> members, string stateMachineType)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var group = new RaftGroupDefinition(groupId, members, stateMachineType);
        group.Validate();
        RaftMemberKey.ValidateGroupId(groupId);
        return builder.ConfigureRaftGroupStartup(o => o.Groups.Add(group));
    }

    /// <summary>
    /// Adds the silo's group startup (<see cref="RaftGroupStartup"/>) and configures it: how many silos it waits for
    /// before creating the groups of <see cref="AddRaftGroup"/>, and for how long.
    /// </summary>
    public static ISiloBuilder ConfigureRaftGroupStartup(this ISiloBuilder builder, Action<RaftGroupStartupOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        if (!builder.Services.Any(d => d.ServiceType == typeof(RaftGroupStartup)))
        {
            builder.Services.AddSingleton<RaftGroupStartup>();
            builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<RaftGroupStartup>());
        }

        return builder;
    }

    /// <summary>Routes every Raft message this silo sends through <paramref name="filter"/> (fault injection in tests).</summary>
    public static ISiloBuilder AddRaftMessageFilter(this ISiloBuilder builder, IRaftMessageFilter filter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(filter);
        builder.Services.RemoveAll<IRaftMessageFilter>();
        builder.Services.AddSingleton(filter);
        return builder;
    }
}
