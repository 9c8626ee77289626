using Orleans.Serialization;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;

namespace OrleansRaft.Hosting.Tests.Infrastructure;

/// <summary>A reliable subscriber of a tally group, keyed by the group id: what it received, persisted with its position.</summary>
public interface ITallySubscriberGrain : IGrainWithStringKey
{
    /// <summary>Starts following the group (once); it then follows it on every activation.</summary>
    Task StartAsync();

    Task<TallySubscription> GetAsync();

    /// <summary>Deactivates this activation once the call returns.</summary>
    Task DeactivateAsync();
}

[GenerateSerializer, Alias("tests.tally-subscription")]
public sealed class TallySubscription
{
    [Id(0)]
    public bool Started { get; set; }

    [Id(1)]
    public RaftFeedPosition Position { get; set; } = RaftFeedPosition.Start();

    /// <summary>Every command received, in the order received.</summary>
    [Id(2)]
    public List<RaftCommit<TallyCommand>> Received { get; set; } = [];

    /// <summary>Totals as the subscriber rebuilt them: from snapshots and the commands after them.</summary>
    [Id(3)]
    public Dictionary<string, long> Totals { get; set; } = [];

    /// <summary>The index of each snapshot the subscriber rebuilt from.</summary>
    [Id(4)]
    public List<ulong> Snapshots { get; set; } = [];

    /// <summary>The position each activation resumed from.</summary>
    [Id(5)]
    public List<ulong> ResumedFrom { get; set; } = [];

    /// <summary>For each of <see cref="Received"/>, the activation that received it: 1 for the first.</summary>
    [Id(6)]
    public List<int> ReceivedBy { get; set; } = [];
}

public sealed class TallySubscriberGrain(
    [PersistentState("tally-subscriber", RaftCluster.StorageName)] IPersistentState<TallySubscription> subscription,
    Serializer serializer) : Grain, ITallySubscriberGrain
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _pump;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (subscription.State.Started)
        {
            Pump();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _stop.Cancel();
        if (_pump is { } pump)
        {
            await pump.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Current);
        }
    }

    public async Task StartAsync()
    {
        if (!subscription.State.Started)
        {
            subscription.State.Started = true;
            await subscription.WriteStateAsync();
            Pump();
        }
    }

    public Task<TallySubscription> GetAsync() => Task.FromResult(subscription.State);

    public Task DeactivateAsync()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private void Pump()
    {
        var state = subscription.State;
        state.ResumedFrom.Add(state.Position.Index);
        _pump = RunAsync(state.Position);
    }

    private async Task RunAsync(RaftFeedPosition start)
    {
        var feed = await RaftCommitFeed<TallyState, TallyCommand>.ConnectAsync(GrainFactory, serializer, this.GetPrimaryKeyString());
        await feed.RunAsync(start, async (batch, _) =>
        {
            var state = subscription.State;
            if (batch.Snapshot is { } snapshot)
            {
                state.Totals = new Dictionary<string, long>(snapshot.Totals);
                state.Snapshots.Add(batch.Next.Index);
            }

            foreach (var commit in batch.Commits)
            {
                state.Received.Add(commit);
                state.ReceivedBy.Add(state.ResumedFrom.Count);
                if (commit.Command is TallyAdd add)
                {
                    state.Totals[add.Key] = state.Totals.GetValueOrDefault(add.Key) + add.Amount;
                }
            }

            // One write: what the batch did and where the next one starts.
            state.Position = batch.Next;
            await subscription.WriteStateAsync();
        }, _stop.Token);
    }
}
