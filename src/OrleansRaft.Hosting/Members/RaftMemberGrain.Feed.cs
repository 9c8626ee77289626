using OrleansRaft.Abstractions;

namespace OrleansRaft.Hosting.Members;

/// <summary>What subscribers pull: committed entries by index, waiting for new ones, and the state machine's snapshot.</summary>
internal sealed partial class RaftMemberGrain
{
    /// <summary>Completed (and replaced on the next wait) whenever the applied index moves or the activation ends.</summary>
    private TaskCompletionSource? _appliedSignal;

    public async Task<RaftCommittedRange> WaitCommittedAsync(ulong from, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        if (maxWait < TimeSpan.Zero || maxWait > IRaftMemberGrain.MaxCommitWait)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxWait), maxWait, $"A commit wait lasts from zero to {IRaftMemberGrain.MaxCommitWait}.");
        }

        await EnsureStartedAsync();
        await CheckClaimWhileQuietAsync();
        var deadline = Now + maxWait;
        while (_applied < from && _failure is null && !_deactivating)
        {
            var left = deadline - Now;
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            _appliedSignal ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                await _appliedSignal.Task.WaitAsync(left, cancellationToken);
            }
            catch (TimeoutException)
            {
                break;
            }
        }

        return await ReadCommittedAsync(from, ulong.MaxValue);
    }

    public async Task<RaftStateSnapshot> ReadStateSnapshotAsync()
    {
        await EnsureStartedAsync();
        await CheckClaimWhileQuietAsync();
        ThrowIfFailed();

        // Taken in one turn: no entry is applied between reading the index and the state it describes.
        return new RaftStateSnapshot(_applied, _stateMachine!.Snapshot());
    }

    private void SignalApplied()
    {
        var signal = _appliedSignal;
        _appliedSignal = null;
        signal?.TrySetResult();
    }
}
