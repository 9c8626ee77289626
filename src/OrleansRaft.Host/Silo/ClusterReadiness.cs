namespace OrleansRaft.Host.Silo;

/// <summary>
/// Set once this silo has seen the expected number of active silos (or waited long enough). Until then the status
/// page does not ask for the groups' status: asking starts members that are not running, and a member started while
/// the cluster has a single silo would stay on it, together with the rest of its group.
/// </summary>
internal sealed class ClusterReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompleted;

    public void SetReady() => _ready.TrySetResult();
}
