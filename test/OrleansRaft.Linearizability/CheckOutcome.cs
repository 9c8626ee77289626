namespace OrleansRaft.Linearizability;

public enum CheckOutcome
{
    /// <summary>The history is linearizable.</summary>
    Ok,

    /// <summary>No linearization exists.</summary>
    Violation,

    /// <summary>The search ran out of its step budget before it could decide.</summary>
    Unknown,
}
