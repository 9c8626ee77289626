using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Hosting.Configuration;

/// <summary>
/// Refuses, when the silo starts, a silo whose Raft setup cannot work: no storage provider under
/// <see cref="OrleansRaftOptions.StorageProviderName"/>, Orleans' memory storage without
/// <see cref="OrleansRaftOptions.AllowVolatileStorage"/>, or a configured group whose state machine is not registered.
/// </summary>
internal sealed class RaftSiloValidator(IServiceProvider services) : IConfigurationValidator
{
    /// <summary>Orleans' memory provider: its data lives in grains spread over the silos, and dies with each one.</summary>
    private const string MemoryStorageType = "Orleans.Storage.MemoryGrainStorage";

    public void ValidateConfiguration()
    {
        var raft = services.GetRequiredService<IOptions<OrleansRaftOptions>>().Value;
        var name = raft.StorageProviderName;
        if (!string.IsNullOrWhiteSpace(name))
        {
            var storage = services.GetKeyedService<IGrainStorage>(name) ?? throw new OrleansConfigurationException(
                $"OrleansRaft needs the grain storage provider '{name}' (OrleansRaftOptions.StorageProviderName), and this silo has none: " +
                $"register it on every silo, for example siloBuilder.AddRaftPostgresBatchingStorage(\"{name}\", connectionString), " +
                "or set StorageProviderName to the provider that should hold the Raft logs.");
            if (IsVolatile(storage) && !raft.AllowVolatileStorage)
            {
                throw new OrleansConfigurationException(
                    $"OrleansRaft refuses the grain storage provider '{name}': Orleans' memory storage keeps its data in grains that die with " +
                    "their silo, so a Raft group whose members span silos loses its log when one silo goes. Use a durable provider " +
                    "(AddRaftPostgresBatchingStorage, AddRaftPostgresStorage), in tests OrleansRaft.Testing's storage shared by the cluster's silos, " +
                    "or set OrleansRaftOptions.AllowVolatileStorage = true for a test that accepts losing the logs.");
            }
        }

        var startup = services.GetService<IOptions<RaftGroupStartupOptions>>()?.Value;
        foreach (var group in startup?.Groups ?? [])
        {
            try
            {
                group.Validate();
                RaftMemberKey.ValidateGroupId(group.GroupId);
            }
            catch (ArgumentException exception)
            {
                throw new OrleansConfigurationException($"Invalid Raft group (AddRaftGroup): {exception.Message}");
            }

            if (services.GetKeyedService<IRaftStateMachine>(group.StateMachineType) is null)
            {
                throw new OrleansConfigurationException(
                    $"The Raft group '{group.GroupId}' (AddRaftGroup) runs the state machine '{group.StateMachineType}', which this silo does not register: " +
                    $"call siloBuilder.AddRaftStateMachine<T>(\"{group.StateMachineType}\") on every silo.");
            }
        }
    }

    private static bool IsVolatile(IGrainStorage storage)
    {
        for (var type = storage.GetType(); type is not null; type = type.BaseType)
        {
            if (type.FullName == MemoryStorageType)
            {
                return true;
            }
        }

        return false;
    }
}
