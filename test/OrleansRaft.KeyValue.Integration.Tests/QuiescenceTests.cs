using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>An idle group goes quiet, appends nothing, and answers every kind of request as soon as one comes.</summary>
[Collection(SharedKvClusterCollection.Name)]
public sealed class QuiescenceTests(SharedKvCluster shared)
{
    private KvCluster Kv => shared.Cluster;

    [Fact]
    public async Task A_quiet_group_appends_nothing_and_answers_a_put_a_linearizable_read_and_a_watch()
    {
        const string group = "kv-quiet";
        var members = await Kv.CreateGroupAsync(group);
        await using var client = await Kv.ConnectAsync(group);
        await client.PutAsync("/quiet/a", "1");
        var quiet = await WaitUntilQuietAsync(Kv, group, members);

        // Quiet for longer than several former clock ticks (250 ms) and heartbeats (50 ms): nothing is appended.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var still = await Kv.StatusesAsync(group, members);
        Assert.All(still, s => Assert.True(s!.Quiescent, $"member {s.MemberId} woke up"));
        Assert.Equal(quiet.Select(s => s.LastIndex), still.Select(s => s!.LastIndex));

        var start = (await client.GetAsync("/quiet/a"))!.ModRevision + 1;
        using var stop = new CancellationTokenSource(KvCluster.Bound);
        var watched = Task.Run(async () =>
        {
            await foreach (var e in client.WatchPrefixAsync("/quiet/", fromRevision: start, cancellationToken: stop.Token))
            {
                return e;
            }

            return null;
        });
        var put = await client.PutAsync("/quiet/b", "2");
        var read = await client.GetAsync("/quiet/b", KvCallOptions.Linearizable);
        var seen = await watched.WaitAsync(KvCluster.Bound);

        Assert.Equal("2", KvBytes.ToText(read!.Value));
        Assert.Equal(put.Revision, seen!.Kv.ModRevision);
        Assert.Equal("/quiet/b", KvBytes.ToText(seen.Kv.Key));

        // Once idle again, the group goes back to sleep.
        await WaitUntilQuietAsync(Kv, group, members);
    }

    [Fact]
    public async Task A_lease_on_a_quiet_group_expires_on_time_and_takes_its_key()
    {
        const string group = "kv-quiet-lease";
        var members = await Kv.CreateGroupAsync(group);
        await using var client = await Kv.ConnectAsync(group);
        var lease = await client.LeaseGrantAsync(3);
        await client.PutAsync(new PutRequest(KvBytes.From("/quiet/leased"), KvBytes.From("x")) { Lease = lease.Id });

        // The group sleeps between the clock's wake-ups, and its leader wakes it to expire the lease.
        await WaitUntilQuietAsync(Kv, group, members);
        await KvCluster.WaitUntilAsync(async () => await client.GetAsync("/quiet/leased") is null, "the leased key to expire");

        var refused = await Assert.ThrowsAsync<KvRequestException>(() => client.LeaseTimeToLiveAsync(lease.Id));
        Assert.Equal(KvErrorCode.LeaseNotFound, refused.Code);
    }

    [Fact]
    public async Task A_lease_survives_a_leader_change_of_a_quiet_group_and_still_expires()
    {
        const string group = "kv-quiet-lease-transfer";
        var members = await Kv.CreateGroupAsync(group);
        await using var client = await Kv.ConnectAsync(group);
        var lease = await client.LeaseGrantAsync(8);
        await client.PutAsync(new PutRequest(KvBytes.From("/quiet/held"), KvBytes.From("x")) { Lease = lease.Id });
        var quiet = await WaitUntilQuietAsync(Kv, group, members);

        var leader = quiet.Single(s => s.Role == RaftMemberRole.Leader);
        var target = members.First(m => m != leader.MemberId);
        Assert.True(await Kv.Member(group, leader.MemberId).TransferLeadershipAsync(target));
        await Kv.WaitForLeaderAsync(group, members, notThis: leader.MemberId);

        // The new leader counts the lease from its own first tick: it neither expired with the old leader nor
        // lost what it had left.
        var left = await client.LeaseTimeToLiveAsync(lease.Id);
        Assert.InRange(left.RemainingMilliseconds, 1, 8_000);
        Assert.NotNull(await client.GetAsync("/quiet/held"));
        await KvCluster.WaitUntilAsync(async () => await client.GetAsync("/quiet/held") is null, "the leased key to expire under the new leader");
    }

    /// <summary>Waits until every member reports itself quiet, and returns their statuses.</summary>
    internal static async Task<RaftMemberStatus[]> WaitUntilQuietAsync(KvCluster kv, string group, IReadOnlyList<ulong> members)
    {
        RaftMemberStatus?[] statuses = [];
        try
        {
            await KvCluster.WaitUntilAsync(async () =>
            {
                statuses = await kv.StatusesAsync(group, members);
                return statuses.All(s => s is { Quiescent: true });
            }, $"every member of {group} to go quiet");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} Last seen: {string.Join("; ", statuses.Select(s => s?.ToString() ?? "no answer"))}", e);
        }

        return [.. statuses.Select(s => s!)];
    }
}
