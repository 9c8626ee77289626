using Orleans.Storage;

namespace OrleansRaft.Hosting.Groups;

/// <summary>The silo a member is bound to (<see cref="Configuration.OrleansRaftOptions.BindMembersToSilos"/>), by the silo's name.</summary>
[GenerateSerializer, Alias("orleansraft.member-silo")]
internal sealed record RaftMemberSilo([property: Id(0)] string SiloName);

/// <summary>
/// Members' silo bindings in the group storage, under state name <c>raft-member-silo</c> and the member's storage key
/// (<see cref="RaftGroupRecord.StorageKeyOf"/>), so that a group created again under the same id binds afresh. A binding
/// is written once, by the member's first activation, and removed with the member's state.
/// </summary>
internal static class RaftMemberSilos
{
    public const string StateName = "raft-member-silo";

    private static readonly GrainType RecordGrainType = GrainType.Create("raftmembersilo");

    /// <summary>The name of the silo the member is bound to, or null while it is bound to none.</summary>
    public static async Task<string?> ReadAsync(IGrainStorage storage, string storageKey)
    {
        var state = new GrainState<RaftMemberSilo>();
        await storage.ReadStateAsync(StateName, IdOf(storageKey), state);
        return state.RecordExists ? state.State?.SiloName : null;
    }

    /// <summary>
    /// Binds the member to <paramref name="siloName"/> unless it is bound already; returns the silo it is bound to.
    /// Two activations that race both read the one binding that was written first.
    /// </summary>
    public static async Task<string> ClaimAsync(IGrainStorage storage, string storageKey, string siloName)
    {
        if (await ReadAsync(storage, storageKey) is { } bound)
        {
            return bound;
        }

        try
        {
            await storage.WriteStateAsync(StateName, IdOf(storageKey), new GrainState<RaftMemberSilo>(new RaftMemberSilo(siloName), null!));
            return siloName;
        }
        catch (InconsistentStateException)
        {
            return await ReadAsync(storage, storageKey) ?? throw new InvalidOperationException($"The silo binding of {storageKey} was written and is gone.");
        }
    }

    /// <summary>Removes the binding; nothing when there is none.</summary>
    public static async Task ClearAsync(IGrainStorage storage, string storageKey)
    {
        var state = new GrainState<RaftMemberSilo>();
        await storage.ReadStateAsync(StateName, IdOf(storageKey), state);
        if (state.RecordExists)
        {
            await storage.ClearStateAsync(StateName, IdOf(storageKey), state);
        }
    }

    private static GrainId IdOf(string storageKey) => GrainId.Create(RecordGrainType, storageKey);
}
