using OrleansRaft.Abstractions;
using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Members;

internal sealed partial class RaftMemberGrain
{
    private GroupCommitGate? _groupCommit;

    /// <summary>Set while an idle loop, started by a proposal, waits for the others of its group commit; see <see cref="GroupCommitGate"/>.</summary>
    private TaskCompletionSource? _gathering;

    private GroupCommitGate GroupCommit => _groupCommit ??= new GroupCommitGate(_options.GroupCommitWindow, maxHorizon: _options.TickInterval);

    /// <summary>The monotonic time the group-commit gate reasons in.</summary>
    private TimeSpan Now => Time.GetElapsedTime(0);

    /// <summary>
    /// Makes sure the Ready loop runs after a proposal was accepted. An idle loop started while answered callers are
    /// still expected back first waits for them, as long as <see cref="GroupCommitGate.BeginGathering"/> says.
    /// </summary>
    private void KickForProposal()
    {
        var allBack = GroupCommit.OnProposal(Now);
        if (_gathering is { } gathering)
        {
            if (allBack)
            {
                EndGathering(gathering);
            }

            return;
        }

        if (_loop is null && _failure is null && _node is { HasReady: true })
        {
            var wait = GroupCommit.BeginGathering(Now);
            if (wait > TimeSpan.Zero)
            {
                _gathering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _loop = RunReadyLoopAsync(_gathering, wait);
            }
            else
            {
                _loop = RunReadyLoopAsync(null, TimeSpan.Zero);
            }
        }
    }

    /// <summary>
    /// Whether the Ready now holds more than the gathered proposals and what a leader sends unasked: committed entries
    /// whose callers wait, reads waiting for their heartbeat round, or a change of role. A follower's acknowledgement or
    /// a tick's heartbeats wait out the gathering, which is shorter than a tick.
    /// </summary>
    private bool MustNotGather() => _node is not { Role: RaftRole.Leader } node || node.CommitIndex > _applied || _reads.Count > 0;

    private void EndGathering(TaskCompletionSource gathering)
    {
        gathering.TrySetResult();
        _gathering = null;
    }

    /// <summary>Waits until the gathering ends or <paramref name="wait"/> has passed, and tells the gate which.</summary>
    private async Task GatherAsync(TaskCompletionSource gathering, TimeSpan wait)
    {
        using var span = RaftTracing.Source.StartActivity(RaftTracing.Gather);
        using var cancel = new CancellationTokenSource();
        var ended = await Task.WhenAny(gathering.Task, Task.Delay(wait, Time, cancel.Token));
        cancel.Cancel();
        GroupCommit.EndGathering(timedOut: ended != gathering.Task);
        if (_gathering == gathering)
        {
            _gathering = null;
        }
    }
}
