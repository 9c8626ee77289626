using OrleansRaft.Core;
using OrleansRaft.Hosting.Configuration;

namespace OrleansRaft.Hosting.Members;

internal sealed partial class RaftMemberGrain
{
    /// <summary>
    /// Callers this member answered that have not come back with a new proposal: each answered proposal adds one, each
    /// accepted proposal takes one away, and a group-commit window that runs out forgets the rest, who are not coming.
    /// </summary>
    private int _returning;

    /// <summary>Set while an idle loop, started by a proposal, waits for the others of its group commit; see <see cref="OrleansRaftOptions.GroupCommitWindow"/>.</summary>
    private TaskCompletionSource? _gathering;

    /// <summary>
    /// Makes sure the Ready loop runs after a proposal was accepted. An idle loop started while answered callers are
    /// still to come back first waits for them, within <see cref="OrleansRaftOptions.GroupCommitWindow"/>.
    /// </summary>
    private void KickForProposal()
    {
        if (_returning > 0)
        {
            _returning--;
        }

        if (_gathering is { } gathering)
        {
            if (_returning == 0)
            {
                EndGathering(gathering);
            }

            return;
        }

        if (_loop is null && _failure is null && _node is { HasReady: true })
        {
            var window = _options.GroupCommitWindow;
            if (window > TimeSpan.Zero && _returning > 0)
            {
                _gathering = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _loop = RunReadyLoopAsync(_gathering, window);
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
    /// a tick's heartbeats wait out the window, which is shorter than a tick.
    /// </summary>
    private bool MustNotGather() => _node is not { Role: RaftRole.Leader } node || node.CommitIndex > _applied || _reads.Count > 0;

    private void EndGathering(TaskCompletionSource gathering)
    {
        gathering.TrySetResult();
        _gathering = null;
    }

    /// <summary>Waits until the gathering ends or <paramref name="window"/> has passed; in the latter case the callers still out are not expected any more.</summary>
    private async Task GatherAsync(TaskCompletionSource gathering, TimeSpan window)
    {
        using var cancel = new CancellationTokenSource();
        var ended = await Task.WhenAny(gathering.Task, Task.Delay(window, Time, cancel.Token));
        cancel.Cancel();
        if (ended != gathering.Task)
        {
            _returning = 0;
        }

        if (_gathering == gathering)
        {
            _gathering = null;
        }
    }
}
