using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;
using OrleansRaft.Testing;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// Members whose storage fails as Npgsql fails when PostgreSQL is down: callers get a retryable error that crosses the
/// grain call, a member acknowledges nothing it could not persist, and the group takes writes again once storage
/// answers, with nothing restarted.
/// </summary>
public sealed class StorageOutageTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_member_whose_storage_is_down_answers_RaftStorageUnavailableException_across_the_grain_call()
    {
        var (cluster, storage) = await StartAsync();
        await using var _ = cluster;
        const string group = "outage-error";
        var members = await cluster.CreateGroupAsync(group, 3);
        var leader = await cluster.WaitForLeaderAsync(group, members, Bound);
        await cluster.ProposeAsync(group, members, BitConverter.GetBytes(1), Bound, leader.MemberId);

        storage.Down = (state, key) => IsLogOf(group, members, state, key);
        // The write fails: the waiting proposal is told so. Then the member restarts and cannot load its log.
        var failed = await Assert.ThrowsAsync<RaftStorageUnavailableException>(() => cluster.Member(group, leader.MemberId).ProposeAsync(BitConverter.GetBytes(2)));
        Assert.Equal($"The storage of {group}/{leader.MemberId} is unavailable (it could not be read or written); retry.", failed.Message);
        Assert.Null(failed.InnerException);
        await RaftCluster.WaitUntilAsync(async () =>
        {
            try
            {
                await cluster.Member(group, leader.MemberId).GetStatusAsync();
                return false;
            }
            catch (RaftStorageUnavailableException e)
            {
                return e.Message.Contains($"{group}/{leader.MemberId}", StringComparison.Ordinal);
            }
            catch (InvalidOperationException)
            {
                // The failed activation, still deactivating.
                return false;
            }
        }, Bound, "a restarted member to report its storage unavailable");

        storage.Down = (_, _) => false;
        var resumed = await cluster.ProposeAsync(group, members, BitConverter.GetBytes(3), Bound);
        Assert.Equal(RaftRequestStatus.Ok, resumed.Status);
    }

    [Fact]
    public async Task Followers_whose_writes_fail_acknowledge_nothing_and_the_group_commits_again_once_their_storage_returns()
    {
        var (cluster, storage) = await StartAsync();
        await using var _ = cluster;
        const string group = "outage-acks";
        var members = await cluster.CreateGroupAsync(group, 3);
        var leader = await cluster.WaitForLeaderAsync(group, members, Bound);
        var before = await cluster.ProposeAsync(group, members, BitConverter.GetBytes(1), Bound, leader.MemberId);
        var followers = members.Where(m => m != leader.MemberId).ToArray();

        // The leader's storage works; a quorum needs a follower's durable copy, and no follower can make one.
        storage.Down = (state, key) => IsLogOf(group, followers, state, key);
        var during = await Task.WhenAll(Enumerable.Range(2, 5).Select(async i =>
        {
            try
            {
                return (await cluster.Member(group, leader.MemberId).ProposeAsync(BitConverter.GetBytes(i))).Status;
            }
            catch (TimeoutException)
            {
                return (RaftRequestStatus?)null;
            }
        }));
        Assert.All(during, s => Assert.NotEqual(RaftRequestStatus.Ok, s));
        Assert.True(storage.Failures > 0, "The followers never tried to write.");
        var leaderNow = await cluster.Member(group, leader.MemberId).GetStatusAsync();
        Assert.Equal(before.Index, leaderNow.Commit);

        storage.Down = (_, _) => false;
        var after = await cluster.ProposeAsync(group, members, BitConverter.GetBytes(7), Bound);
        Assert.Equal(RaftRequestStatus.Ok, after.Status);
        await cluster.WaitForConvergenceAsync(group, members, 2, Bound);
    }

    [Fact]
    public async Task A_quiet_member_answers_from_memory_while_its_storage_is_down_and_asks_storage_at_most_once_an_election_timeout()
    {
        var (cluster, storage) = await StartAsync();
        await using var _ = cluster;
        const string group = "outage-quiet";
        var members = await cluster.CreateGroupAsync(group, 3);
        var leader = await cluster.WaitForLeaderAsync(group, members, Bound);
        await cluster.ProposeAsync(group, members, BitConverter.GetBytes(1), Bound, leader.MemberId);
        await cluster.WaitUntilQuietAsync(group, members, Bound);

        // A quiet member checks that it still holds its log before it answers; with storage down it cannot tell, and
        // answers from memory as it did before the check existed.
        storage.Down = (state, key) => IsLogOf(group, members, state, key);
        var before = storage.Failures;
        var member = cluster.Member(group, leader.MemberId);
        RaftMemberStatus status = null!;
        await RaftCluster.WaitUntilAsync(async () =>
        {
            status = await member.GetStatusAsync();
            return storage.Failures > before;
        }, Bound, "the quiet leader's check to meet the outage");
        var checkedAt = storage.Failures;
        var read = await member.ReadLocalAsync(ReadOnlyMemory<byte>.Empty);
        var again = await member.GetStatusAsync();

        Assert.Equal(RaftMemberRole.Leader, status.Role);
        Assert.True(again.Quiescent);
        Assert.Equal(RaftRequestStatus.Ok, read.Status);
        Assert.Single(SequenceStateMachine.Decode(read.Result));

        // The failed check counts as one: the calls right after it wait for the next election timeout, not for storage.
        Assert.InRange(storage.Failures - checkedAt, 0, 1);
    }

    private static async Task<(RaftCluster Cluster, FailingGrainStorage Storage)> StartAsync()
    {
        var storage = new FailingGrainStorage(new RaftTestStorage());
        var cluster = await RaftCluster.StartAsync(
            3,
            silo => silo.Services.AddKeyedSingleton<IGrainStorage>(RaftCluster.StorageName, storage),
            o => o.RequestTimeout = TimeSpan.FromSeconds(3));
        return (cluster, storage);
    }

    /// <summary>Whether the record is part of the log of one of <paramref name="members"/> (the group's own record is not).</summary>
    private static bool IsLogOf(string group, IEnumerable<ulong> members, string stateName, string key) =>
        stateName.StartsWith("raft-", StringComparison.Ordinal) && stateName is not ("raft-group" or "raft-directory")
        && members.Any(m => key.StartsWith($"{group}/{m}@", StringComparison.Ordinal) || key.StartsWith($"{group}/{m}/", StringComparison.Ordinal) || key == $"{group}/{m}");
}
