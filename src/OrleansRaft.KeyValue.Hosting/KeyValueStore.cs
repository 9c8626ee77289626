namespace OrleansRaft.KeyValue.Hosting;

/// <summary>Names shared by the silos and the admins of key-value groups.</summary>
public static class KeyValueStore
{
    /// <summary>The state machine type of a key-value group, as given to <c>RaftGroupSpec</c>.</summary>
    public const string StateMachineType = KvStateMachine.TypeName;
}
