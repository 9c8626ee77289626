using Orleans.Storage;

namespace OrleansRaft.Hosting.Groups;

/// <summary>
/// A group's membership and state machine type, persisted by its admin grain before any member starts. A member
/// starts (and so may ever campaign) only while this record lists it and is not being deleted.
/// </summary>
[GenerateSerializer, Alias("orleansraft.group-record")]
internal sealed record RaftGroupRecord(
    [property: Id(0)] ulong[] Members,
    [property: Id(1)] string StateMachineType,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] bool Deleting);

/// <summary>Reads and writes group records in the Raft storage provider, under state name <c>raft-group</c>.</summary>
internal static class RaftGroupRecords
{
    public const string StateName = "raft-group";

    private static readonly GrainType RecordGrainType = GrainType.Create("raftgroup");

    public static GrainId IdOf(string groupId) => GrainId.Create(RecordGrainType, groupId);

    public static async Task<(RaftGroupRecord? Record, string? ETag)> ReadAsync(IGrainStorage storage, string groupId)
    {
        var state = new GrainState<RaftGroupRecord>();
        await storage.ReadStateAsync(StateName, IdOf(groupId), state);
        return (state.RecordExists ? state.State : null, state.ETag);
    }

    public static async Task<string?> WriteAsync(IGrainStorage storage, string groupId, RaftGroupRecord record, string? etag)
    {
        var state = new GrainState<RaftGroupRecord>(record, etag!) { RecordExists = etag is not null };
        await storage.WriteStateAsync(StateName, IdOf(groupId), state);
        return state.ETag;
    }

    public static Task ClearAsync(IGrainStorage storage, string groupId, string? etag)
    {
        var state = new GrainState<RaftGroupRecord> { ETag = etag, RecordExists = true };
        return storage.ClearStateAsync(StateName, IdOf(groupId), state);
    }
}
