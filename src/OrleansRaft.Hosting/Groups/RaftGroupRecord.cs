using Orleans.Storage;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Hosting.Groups;

/// <summary>
/// A group's membership and state machine type, persisted by its admin grain before any member starts. A member
/// starts (and so may ever campaign) only while this record lists it and is not being deleted.
/// </summary>
/// <remarks>
/// <para><see cref="Members"/> are the voters and <see cref="Learners"/> the learners of the last committed configuration
/// the record knows, at <see cref="ConfigurationIndex"/>; index 0 means the membership the group was created with,
/// which is the only one a member may bootstrap from. <see cref="Joining"/> are members the admin API is adding:
/// listed before they start, so that they may start, but not in any configuration yet.</para>
/// <para>Fields 4 to 6 came with membership changes; a record written before them reads as a group whose
/// membership never changed.</para>
/// <para><see cref="Incarnation"/> is drawn at random when the group is created, and is part of every member's storage
/// key (<see cref="StorageKeyOf"/>): a group deleted and created again under the same id never shares a record with
/// its former self, so deleting a group may delete every record of its members, fences included. A record written
/// before field 7 has none, and its members keep the key they always had.</para>
/// </remarks>
[GenerateSerializer, Alias("orleansraft.group-record")]
internal sealed record RaftGroupRecord(
    [property: Id(0)] ulong[] Members,
    [property: Id(1)] string StateMachineType,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] bool Deleting,
    [property: Id(4)] ulong[]? Learners = null,
    [property: Id(5)] ulong ConfigurationIndex = 0,
    [property: Id(6)] ulong[]? Joining = null,
    [property: Id(7)] string? Incarnation = null)
{
    /// <summary>A fresh incarnation: 64 random bits, in hex.</summary>
    public static string NewIncarnation() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    /// <summary>
    /// The key under which member <paramref name="member"/> keeps its log: <c>{groupId}/{memberId}@{incarnation}</c>, or
    /// the member's grain key for a group created before incarnations.
    /// </summary>
    public string StorageKeyOf(RaftMemberKey member) => Incarnation is null ? member.ToString() : $"{member}@{Incarnation}";

    /// <summary>May every record of a destroyed member go, fences included? Only once its incarnation can never load again.</summary>
    public bool MayPurge => Deleting && Incarnation is not null;

    /// <summary>Every member that may run: voters, learners and joining members.</summary>
    /// <remarks>
    /// A method, not a property: storage providers that serialize records as JSON would write a property too, and fail
    /// to read it back into a computed sequence.
    /// </remarks>
    public IEnumerable<ulong> AllMembers() => Members.Concat(Learners ?? []).Concat(Joining ?? []).Distinct();

    public bool Lists(ulong member) => AllMembers().Contains(member);

    /// <summary>May <paramref name="member"/> record the created membership as its own when it has no state? Only at creation.</summary>
    public bool MayBootstrap(ulong member) => ConfigurationIndex == 0 && Members.Contains(member);
}

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

    /// <summary>
    /// Writes the committed membership at <paramref name="index"/> unless the record knows one at least as recent,
    /// retrying on concurrent writes. Joining members that the configuration now lists leave <c>Joining</c>.
    /// </summary>
    public static async Task<RaftGroupRecord?> WriteConfigurationAsync(IGrainStorage storage, string groupId, ulong index, ulong[] voters, ulong[] learners)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (record, etag) = await ReadAsync(storage, groupId);
            if (record is null || record.Deleting)
            {
                return record;
            }

            if (record.ConfigurationIndex >= index)
            {
                return record;
            }

            var joining = (record.Joining ?? []).Where(j => !voters.Contains(j) && !learners.Contains(j)).ToArray();
            var next = record with { Members = [.. voters.Order()], Learners = [.. learners.Order()], ConfigurationIndex = index, Joining = joining };
            try
            {
                await WriteAsync(storage, groupId, next, etag);
                return next;
            }
            catch (InconsistentStateException) when (attempt < 10)
            {
                // Another member or the admin grain wrote in between: read again and judge by its index.
            }
        }
    }

    public static Task ClearAsync(IGrainStorage storage, string groupId, string? etag)
    {
        var state = new GrainState<RaftGroupRecord> { ETag = etag, RecordExists = true };
        return storage.ClearStateAsync(StateName, IdOf(groupId), state);
    }
}
