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
    public static ISiloBuilder AddRaftKeyValueStore(this ISiloBuilder builder, KvLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var chosen = limits ?? KvLimits.Default;
        chosen.Validate();
        return builder.AddRaftStateMachine(KeyValueStore.StateMachineType, _ => new KvRaftStateMachine(chosen));
    }
}
