using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// Messages between silos: with coalescing, the members of many groups on one silo share calls to each other silo, and
/// every group still commits and agrees; without it, members call each other directly and no call is coalesced.
/// </summary>
public sealed class CoalescedTransportTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private const int Groups = 6;
    private const int Commands = 30;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Busy_groups_commit_and_agree_with_their_messages_coalesced_or_not(bool coalesce)
    {
        await using var raft = await RaftCluster.StartAsync(3, configure: o => o.CoalesceMessages = coalesce);
        using var calls = new TransportCalls(raft);
        var groups = Enumerable.Range(0, Groups).Select(i => $"coalesce-{coalesce}-{i}").ToArray();
        var members = new Dictionary<string, ulong[]>();
        foreach (var group in groups)
        {
            members[group] = await raft.CreateGroupAsync(group, 3);
        }

        foreach (var group in groups)
        {
            await raft.WaitForLeaderAsync(group, members[group], Bound);
        }

        var committed = await Task.WhenAll(groups.Select(group => raft.ProposeRangeAsync(group, members[group], 0, Commands, concurrency: 4, Bound)));
        foreach (var (group, results) in groups.Zip(committed))
        {
            var applied = await raft.WaitForConvergenceAsync(group, members[group], Commands, Bound);
            var byIndex = applied.ToDictionary(e => e.Index, e => BitConverter.ToInt32(e.Data.Span));
            Assert.All(results, r => Assert.Equal(r.Command, byIndex.GetValueOrDefault(r.Result.Index, -1)));
        }

        var sizes = calls.Sizes;
        if (coalesce)
        {
            Assert.NotEmpty(sizes);
            Assert.Contains(sizes, size => size > 1);
        }
        else
        {
            Assert.Empty(sizes);
        }
    }

    /// <summary>The envelopes per coalesced call of this cluster's silos.</summary>
    private sealed class TransportCalls : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<long> _sizes = new();

        public TransportCalls(RaftCluster raft)
        {
            var factories = raft.Cluster.Silos.Select(s => (object)s.SiloHost.Services.GetRequiredService<IMeterFactory>()).ToHashSet();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RaftMetrics.MeterName && instrument.Name == "orleansraft.transport.batch" &&
                    instrument.Meter.Scope is { } scope && factories.Contains(scope))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, size, _, _) => _sizes.Enqueue(size));
            _listener.Start();
        }

        public IReadOnlyList<long> Sizes => [.. _sizes];

        public void Dispose() => _listener.Dispose();
    }
}
