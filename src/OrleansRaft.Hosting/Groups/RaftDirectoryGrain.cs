using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;

namespace OrleansRaft.Hosting.Groups;

/// <summary>
/// The cluster's list of groups, persisted in the Raft storage provider and kept in memory once read. Changes are not
/// interleaved, so each reads, edits and writes the record with no other change in between; the ETag catches a second
/// activation, and a failed write drops the cached record so that the next call reads it again.
/// </summary>
/// <remarks>
/// Invariant: <see cref="_cached"/>, when set, is what this activation last read or wrote, sorted ordinally, and is
/// replaced (never mutated) by a change, so that interleaved reads always see a whole list.
/// </remarks>
internal sealed class RaftDirectoryGrain(IOptions<OrleansRaftOptions> options) : Grain, IRaftDirectoryGrain
{
    private const string StateName = "raft-directory";

    private static readonly GrainId RecordId = GrainId.Create(GrainType.Create("raftdirectory"), "groups");

    private Listing? _cached;

    private IGrainStorage Storage => ServiceProvider.GetRequiredKeyedService<IGrainStorage>(options.Value.GroupStorage);

    public async Task<string[]> ListGroupsAsync() => (await ReadAsync()).Groups;

    public async Task<RaftGroupPage> ListGroupsAsync(string? after, int limit)
    {
        ValidateLimit(limit);
        return RaftGroupPages.Cut((await ReadAsync()).Groups, after, limit);
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
        var listing = await ReadAsync();
        var groups = listing.Groups;
        var at = Array.BinarySearch(groups, groupId, StringComparer.Ordinal);
        if (at < 0)
        {
            at = ~at;
            await WriteAsync(listing, [.. groups.AsSpan(0, at), groupId, .. groups.AsSpan(at)]);
        }
    }

    public async Task RemoveAsync(string groupId)
    {
        var listing = await ReadAsync();
        var groups = listing.Groups;
        var at = Array.BinarySearch(groups, groupId, StringComparer.Ordinal);
        if (at >= 0)
        {
            await WriteAsync(listing, [.. groups.AsSpan(0, at), .. groups.AsSpan(at + 1)]);
        }
    }

    private static void ValidateLimit(int limit)
    {
        if (limit is < 1 or > IRaftDirectoryGrain.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"A page holds 1 to {IRaftDirectoryGrain.MaxPageSize} groups.");
        }
    }

    private async Task<Listing> ReadAsync()
    {
        if (_cached is { } cached)
        {
            return cached;
        }

        var state = new GrainState<RaftDirectoryRecord>();
        await Storage.ReadStateAsync(StateName, RecordId, state);
        var read = new Listing(state.RecordExists && state.State is { } record ? record.Groups : [], state.ETag, state.RecordExists);

        // Interleaved readers may have read it too: keep the first, so that one activation has one view.
        return _cached ??= read;
    }

    private async Task WriteAsync(Listing current, string[] groups)
    {
        var state = new GrainState<RaftDirectoryRecord>(new RaftDirectoryRecord(groups), current.ETag!) { RecordExists = current.Exists };
        try
        {
            await Storage.WriteStateAsync(StateName, RecordId, state);
        }
        catch
        {
            // Another activation wrote, or the write's outcome is unknown: read the record afresh next time.
            _cached = null;
            throw;
        }

        _cached = new Listing(groups, state.ETag, Exists: true);
    }

    /// <summary>The sorted ids as last read or written, with the ETag to write them again.</summary>
    private sealed record Listing(string[] Groups, string? ETag, bool Exists);
}

/// <summary>The ids of every group, sorted ordinally.</summary>
[GenerateSerializer, Alias("orleansraft.directory-record")]
internal sealed record RaftDirectoryRecord([property: Id(0)] string[] Groups);
