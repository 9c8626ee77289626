using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.KeyValue;
using OrleansRaft.KeyValue.Hosting;

namespace Orleans.Hosting;

/// <summary>Adds the key-value store to a silo that hosts Raft groups.</summary>
public static class KeyValueStoreSiloBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="KvRaftStateMachine"/> under <see cref="KeyValueStore.StateMachineType"/>, so that a group
    /// created with that type runs the key-value store. Call it on every silo, with equal <paramref name="limits"/>:
    /// a limit decides whether a command applies, so members with different limits would diverge.
    /// <c>AddOrleansRaft</c> must be called too.
    /// </summary>
    /// <remarks>
    /// Users of the groups' auth reach the store as themselves through tokens the silos issue and verify
    /// (<see cref="KvAuthOptions"/>, configured with <see cref="ConfigureRaftKeyValueAuth"/>); the token key must be the
    /// same on every silo.
    /// </remarks>
    public static ISiloBuilder AddRaftKeyValueStore(this ISiloBuilder builder, KvLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var chosen = limits ?? KvLimits.Default;
        chosen.Validate();
        builder.Services.AddOptions<KvAuthOptions>();
        builder.Services.TryAddSingleton<KvSiloAuth>();
        // Null without a token key: the etcd gateway then cannot vouch for its users either (GetService answers null).
        builder.Services.TryAddSingleton(provider => provider.GetRequiredService<KvSiloAuth>().Signer!);
        builder.Services.TryAddSingleton<IRaftAdminAuthorizer, KvAdminAuthorizer>();
        return builder.AddRaftStateMachine(KeyValueStore.StateMachineType, provider => new KvRaftStateMachine(chosen, provider.GetRequiredService<KvSiloAuth>().Gate));
    }

    /// <summary>Configures how the silo authenticates users of key-value groups (the same on every silo).</summary>
    public static ISiloBuilder ConfigureRaftKeyValueAuth(this ISiloBuilder builder, Action<KvAuthOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
