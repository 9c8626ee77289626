using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// Reliable commit subscriptions: a subscriber grain (<see cref="TallySubscriberGrain"/>) receives every command a
/// typed group applied, in index order, once, whatever becomes of the leader, the members and the subscriber itself.
/// </summary>
public sealed class CommitFeedTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_subscriber_receives_every_command_once_in_order_across_a_kill_of_the_leaders_silo()
    {
        await using var raft = await TypedGroupTests.StartOnPostgresAsync();
        const string group = "feed-kill";
        var members = await raft.CreateGroupAsync(group, 3, TallyStateMachine.TypeName);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        await raft.ResolveMembersAsync(group, members, Bound);
        await using var client = await RaftGroupClient<TallyCommand, TallyResult>.ConnectAsync(raft.Client, group, new RaftClientOptions { RequestTimeout = Bound });
        var subscriber = raft.Client.GetGrain<ITallySubscriberGrain>(group);
        await subscriber.StartAsync();

        for (var i = 0; i < 30; i++)
        {
            await client.ProposeAsync(new TallyAdd($"k{i}", i));
        }

        await WaitForReceivedAsync(subscriber, 30);
        await raft.KillSilosAsync([raft.SiloOf(leader)]);
        for (var i = 30; i < 60; i++)
        {
            await client.ProposeAsync(new TallyAdd($"k{i}", i));
        }

        // The subscriber may have been on the killed silo: a call activates it elsewhere, from its persisted position.
        var received = await WaitForReceivedAsync(subscriber, 60);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => (TallyCommand)new TallyAdd($"k{i}", i)), received.Received.Select(c => c.Command));
        Assert.True(received.Received.Zip(received.Received.Skip(1)).All(p => p.First.Index < p.Second.Index), "indexes in order");
        Assert.Empty(received.Snapshots);
    }

    [Fact]
    public async Task A_deactivated_subscriber_resumes_from_the_index_it_acknowledged()
    {
        await using var raft = await TypedGroupTests.StartOnPostgresAsync();
        const string group = "feed-reactivate";
        var members = await raft.CreateGroupAsync(group, 3, TallyStateMachine.TypeName);
        await raft.WaitForLeaderAsync(group, members, Bound);
        await using var client = await RaftGroupClient<TallyCommand, TallyResult>.ConnectAsync(raft.Client, group);
        var subscriber = raft.Client.GetGrain<ITallySubscriberGrain>(group);
        await subscriber.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            await client.ProposeAsync(new TallyAdd("a", 1));
        }

        var first = await WaitForReceivedAsync(subscriber, 10);
        await subscriber.DeactivateAsync();
        for (var i = 0; i < 10; i++)
        {
            await client.ProposeAsync(new TallyAdd("b", 1));
        }

        var second = await WaitForReceivedAsync(subscriber, 20);
        Assert.Equal(2, second.ResumedFrom.Count);
        Assert.Equal(0UL, second.ResumedFrom[0]);

        // The second activation resumed where the first acknowledged (the first may have received some "b" before it
        // stopped): everything after that, and nothing before it, came to the second.
        var resumed = second.ResumedFrom[1];
        Assert.True(resumed >= first.Received[^1].Index, $"resumed from {resumed}, before the acknowledged {first.Received[^1].Index}");
        Assert.All(second.Received.Zip(second.ReceivedBy), r => Assert.Equal(r.First.Index <= resumed ? 1 : 2, r.Second));
        Assert.Contains(2, second.ReceivedBy);
        Assert.Equal(Enumerable.Repeat("a", 10).Concat(Enumerable.Repeat("b", 10)), second.Received.Select(c => ((TallyAdd)c.Command).Key));
        Assert.Equal(new Dictionary<string, long> { ["a"] = 10, ["b"] = 10 }, second.Totals);
    }

    [Fact]
    public async Task A_subscriber_behind_the_compacted_log_catches_up_from_a_snapshot_and_then_follows_the_log()
    {
        await using var raft = await TypedGroupTests.StartOnPostgresAsync(o => o.SnapshotEveryEntries = 10);
        const string group = "feed-compacted";
        var members = await raft.CreateGroupAsync(group, 3, TallyStateMachine.TypeName);
        await raft.WaitForLeaderAsync(group, members, Bound);
        await using var client = await RaftGroupClient<TallyCommand, TallyResult>.ConnectAsync(raft.Client, group);
        // Every command with the index it committed at: the subscriber's snapshot may stop short of the last early ones.
        var written = new List<(ulong Index, long Amount)>();
        for (var i = 0; i < 40; i++)
        {
            written.Add(((await client.WriteAsync(new TallyAdd(i % 2 == 0 ? "even" : "odd", i))).Index, i));
        }

        await RaftCluster.WaitUntilAsync(
            async () => (await raft.StatusesAsync(group, members)).All(s => s is { FirstIndex: > 2 }), Bound, "every member to compact its log");
        var subscriber = raft.Client.GetGrain<ITallySubscriberGrain>(group);
        await subscriber.StartAsync();
        await RaftCluster.WaitUntilAsync(async () => (await subscriber.GetAsync()).Snapshots.Count > 0, Bound, "the subscriber to rebuild from a snapshot");
        for (var i = 40; i < 45; i++)
        {
            written.Add(((await client.WriteAsync(new TallyAdd("late", i))).Index, i));
        }

        var expected = new Dictionary<string, long>
        {
            ["even"] = Enumerable.Range(0, 40).Where(i => i % 2 == 0).Sum(),
            ["odd"] = Enumerable.Range(0, 40).Where(i => i % 2 == 1).Sum(),
            ["late"] = Enumerable.Range(40, 5).Sum(),
        };
        TallySubscription state = null!;
        await RaftCluster.WaitUntilAsync(async () =>
        {
            state = await subscriber.GetAsync();
            return state.Totals.GetValueOrDefault("late") == expected["late"];
        }, Bound, "the subscriber to see the late commands");

        Assert.Equal(expected, state.Totals);
        Assert.NotEmpty(state.Snapshots);
        Assert.All(state.Received, c => Assert.True(c.Index > state.Snapshots[0]));

        // After its last snapshot it followed the log: exactly the commands that snapshot did not cover, the late ones
        // and any early ones applied after the member took it. (One that a member compacted away before the subscriber
        // read it comes in a newer snapshot instead.)
        Assert.Equal(
            written.Where(l => l.Index > state.Snapshots[^1]).Select(l => l.Amount),
            state.Received.Where(c => c.Index > state.Snapshots[^1]).Select(c => ((TallyAdd)c.Command).Amount));
    }

    private static async Task<TallySubscription> WaitForReceivedAsync(ITallySubscriberGrain subscriber, int count)
    {
        TallySubscription state = null!;
        await RaftCluster.WaitUntilAsync(async () =>
        {
            try
            {
                state = await subscriber.GetAsync();
                return state.Received.Count >= count;
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                return false;
            }
        }, Bound, $"the subscriber to receive {count} commands");
        return state;
    }
}
