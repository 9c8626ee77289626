namespace OrleansRaft.Linearizability;

public enum KvOperationKind
{
    Put,
    Get,
    CompareAndSet,
}
