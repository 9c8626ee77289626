using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;

namespace OrleansRaft.Hosting.Groups;

/// <summary>
/// The cluster's list of groups, persisted in the Raft storage provider in <see cref="BucketCount"/> records (buckets)
/// and kept in memory once read. A change rewrites only its group's bucket, and changes that arrive together share a
/// write (see <see cref="RaftDirectoryBucket"/>), so creating many groups costs neither a write of the whole list per
/// group nor one write after another.
/// </summary>
/// <remarks>
/// Invariant: <see cref="_sorted"/>, when set, is the union of the buckets' lists sorted ordinally, rebuilt when a
/// bucket changed; it is replaced (never mutated), so that interleaved reads always see a whole list. A directory
/// written before buckets existed kept every id in one record; the first activation that reads it moves its ids into
/// their buckets and only then clears it, so a crash in between leaves ids in both places, which the next activation
/// merges again.
/// </remarks>
internal sealed class RaftDirectoryGrain(IOptions<OrleansRaftOptions> options) : Grain, IRaftDirectoryGrain
{
    /// <summary>Fixed for good: a group's bucket is derived from its id, and a bucket's record from its number.</summary>
    internal const int BucketCount = 64;

    private const string StateName = "raft-directory";

    private static readonly GrainType RecordType = GrainType.Create("raftdirectory");

    /// <summary>The single record of every id that a directory kept before it had buckets.</summary>
    private static readonly GrainId LegacyRecordId = GrainId.Create(RecordType, "groups");

    private Task<RaftDirectoryBucket[]>? _loading;
    private string[]? _sorted;

    private IGrainStorage Storage => ServiceProvider.GetRequiredKeyedService<IGrainStorage>(options.Value.GroupStorage);

    public async Task<string[]> ListGroupsAsync() => await SortedAsync();

    public async Task<RaftGroupPage> ListGroupsAsync(string? after, int limit)
    {
        ValidateLimit(limit);
        return RaftGroupPages.Cut(await SortedAsync(), after, limit);
    }

    public async Task<RaftGroupStatusPage> GetStatusAsync(string? after, int limit)
    {
        var page = await ListGroupsAsync(after, limit);
        var statuses = await Task.WhenAll(page.Groups.Select(StatusOfAsync));

        // A group deleted between the listing and its answer is left out.
        return new RaftGroupStatusPage(page, statuses.OfType<RaftGroupStatus>().ToArray());

        // One group that cannot answer (a storage error, say) is shown with its error; it does not hide the others.
        async Task<RaftGroupStatus?> StatusOfAsync(string groupId)
        {
            try
            {
                return await GrainFactory.GetGrain<IRaftGroupGrain>(groupId).GetStatusAsync();
            }
            catch (Exception e)
            {
                return new RaftGroupStatus(groupId, "", 0, 0, [new RaftMemberView(0, null, $"the group's status failed: {e.Message}", 0)]);
            }
        }
    }

    public async Task AddAsync(string groupId)
    {
        RaftMemberKey.ValidateGroupId(groupId);
        var buckets = await LoadAsync();
        await buckets[BucketOf(groupId)].ChangeAsync(groupId, add: true);
    }

    public async Task RemoveAsync(string groupId)
    {
        var buckets = await LoadAsync();
        await buckets[BucketOf(groupId)].ChangeAsync(groupId, add: false);
    }

    /// <summary>
    /// The bucket of <paramref name="groupId"/>: FNV-1a over its UTF-16 code units, which, unlike
    /// <see cref="string.GetHashCode()"/>, is the same in every process and every version.
    /// </summary>
    internal static int BucketOf(string groupId)
    {
        var hash = 2166136261u;
        foreach (var c in groupId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % BucketCount);
    }

    private static void ValidateLimit(int limit)
    {
        if (limit is < 1 or > IRaftDirectoryGrain.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"A page holds 1 to {IRaftDirectoryGrain.MaxPageSize} groups.");
        }
    }

    private async Task<string[]> SortedAsync()
    {
        var buckets = await LoadAsync();
        if (_sorted is { } sorted)
        {
            return sorted;
        }

        var all = buckets.SelectMany(b => b.Groups).ToArray();
        Array.Sort(all, StringComparer.Ordinal);
        return _sorted = all;
    }

    /// <summary>Every bucket, read once per activation by whichever call comes first; a failed read is tried again by the next call.</summary>
    private Task<RaftDirectoryBucket[]> LoadAsync()
    {
        if (_loading is { IsFaulted: true } or { IsCanceled: true })
        {
            _loading = null;
        }

        return _loading ??= LoadBucketsAsync();
    }

    private async Task<RaftDirectoryBucket[]> LoadBucketsAsync()
    {
        var buckets = Enumerable.Range(0, BucketCount)
            .Select(n => new RaftDirectoryBucket(Storage, StateName, GrainId.Create(RecordType, $"groups-{n:D2}"), () => _sorted = null))
            .ToArray();
        await Task.WhenAll(buckets.Select(b => b.ReadAsync()));

        var legacy = new GrainState<RaftDirectoryRecord>();
        await Storage.ReadStateAsync(StateName, LegacyRecordId, legacy);
        if (legacy.RecordExists)
        {
            await Task.WhenAll((legacy.State?.Groups ?? []).Select(id => buckets[BucketOf(id)].ChangeAsync(id, add: true)));
            await Storage.ClearStateAsync(StateName, LegacyRecordId, legacy);
        }

        return buckets;
    }
}

/// <summary>The ids of every group, sorted ordinally.</summary>
[GenerateSerializer, Alias("orleansraft.directory-record")]
internal sealed record RaftDirectoryRecord([property: Id(0)] string[] Groups);
