using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>The group-commit window: callers answered together share the leader's next write; a lone caller never waits.</summary>
public sealed class GroupCommitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>Long enough that a busy test machine usually gathers every caller, and shorter than the tick, as required.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(300);

    private const int Callers = 8;

    /// <summary>
    /// Rounds of callers answered together. Without the window no round is gathered into one write (its first caller is
    /// handled alone); on a loaded machine a caller may now and then miss even a long window, so a majority must gather.
    /// </summary>
    private const int Rounds = 5;

    [Fact]
    public async Task Callers_answered_together_share_the_next_write_and_a_lone_caller_is_not_held_back()
    {
        await using var raft = await RaftCluster.StartAsync(3, configure: o =>
        {
            o.TickInterval = TimeSpan.FromMilliseconds(400);
            o.ElectionTicks = 4;
            o.GroupCommitWindow = Window;
        });
        using var writes = new LeaderWrites(raft);
        const string group = "group-commit";
        var members = await raft.CreateGroupAsync(group, 3);
        var leader = (await raft.WaitForLeaderAsync(group, members, Bound)).MemberId;
        var member = raft.Member(group, leader);

        // The first round answers all the callers, whichever writes carried them.
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(i => ProposeOkAsync(member, i)));

        var rounds = new List<long[]>();
        for (var round = 1; round <= Rounds; round++)
        {
            writes.Clear();

            // One caller comes back first and is surely being handled before the others come back: the status call
            // reaches the leader after the proposal. Without the window its write would already carry it alone.
            var first = ProposeOkAsync(member, round * Callers);
            await member.GetStatusAsync();
            await Task.WhenAll(Enumerable.Range(1, Callers - 1).Select(i => ProposeOkAsync(member, round * Callers + i)).Append(first));

            rounds.Add([.. writes.Sizes()]);
        }

        var described = string.Join("; ", rounds.Select(r => $"[{string.Join(", ", r)}]"));
        Assert.True(rounds.Count(r => r.SequenceEqual([Callers])) > Rounds / 2, $"writes per round: {described}");

        // The first lone proposal may wait out one window for callers who do not come back; after it, none waits.
        await ProposeOkAsync(member, 1000);
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= 10; i++)
        {
            await ProposeOkAsync(member, 1000 + i);
        }

        Assert.True(clock.Elapsed < 10 * Window, $"10 lone proposals took {clock.Elapsed.TotalMilliseconds:F0} ms: at least one waited out the window");
    }

    /// <summary>
    /// Memory storage completes writes at once, and a wait under a millisecond completes at once too: the Ready loop may
    /// then run to its end before the proposal that started it returns, which must not leave the member thinking that
    /// a loop still runs.
    /// </summary>
    [Fact]
    public async Task Concurrent_callers_keep_committing_when_a_gathering_and_its_writes_complete_at_once()
    {
        await using var raft = await RaftCluster.StartAsync(3, configure: o => o.GroupCommitWindow = TimeSpan.FromMilliseconds(0.5));
        const string group = "group-commit-synchronous";
        var members = await raft.CreateGroupAsync(group, 3);
        var member = raft.Member(group, (await raft.WaitForLeaderAsync(group, members, Bound)).MemberId);
        var clock = Stopwatch.StartNew();

        var committed = await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            var count = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(2))
            {
                var result = await member.ProposeAsync(BitConverter.GetBytes(caller)).WaitAsync(Bound);
                Assert.Equal(RaftRequestStatus.Ok, result.Status);
                count++;
            }

            return count;
        })));

        Assert.All(committed, count => Assert.True(count > 0));
    }

    private static async Task ProposeOkAsync(IRaftMemberGrain member, int command)
    {
        var result = await member.ProposeAsync(BitConverter.GetBytes(command));
        Assert.Equal(RaftRequestStatus.Ok, result.Status);
    }

    /// <summary>The entries of each write by a leader of this cluster's silos, from <c>orleansraft.append.entries</c>.</summary>
    private sealed class LeaderWrites : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<long> _sizes = [];

        public LeaderWrites(RaftCluster raft)
        {
            var factories = raft.Cluster.Silos.Select(s => (object)s.SiloHost.Services.GetRequiredService<IMeterFactory>()).ToHashSet();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RaftMetrics.MeterName && instrument.Name == "orleansraft.append.entries" &&
                    instrument.Meter.Scope is { } scope && factories.Contains(scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag is { Key: "orleansraft.role", Value: "leader" })
                    {
                        lock (_sizes)
                        {
                            _sizes.Add(value);
                        }
                    }
                }
            });
            _listener.Start();
        }

        public long[] Sizes()
        {
            lock (_sizes)
            {
                return [.. _sizes];
            }
        }

        public void Clear()
        {
            lock (_sizes)
            {
                _sizes.Clear();
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
