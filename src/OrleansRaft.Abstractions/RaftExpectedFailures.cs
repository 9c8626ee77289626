namespace OrleansRaft.Abstractions;

/// <summary>
/// Tells failures that a silo stopping or dying, or a cluster still settling, causes in the normal course of events
/// from those that point at a fault. Code that retries on its own logs the first kind without a stack trace.
/// </summary>
public static class RaftExpectedFailures
{
    /// <summary>
    /// True for a call that timed out or was cancelled, a silo or client that is gone, a message the runtime rejected
    /// (a stopping silo, a target silo declared dead) and a gateway too busy to take it: a later attempt, possibly on
    /// another silo, can succeed.
    /// </summary>
    public static bool IsExpected(Exception exception) => exception switch
    {
        TimeoutException or OperationCanceledException => true,
        SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or ClientNotAvailableException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsExpected),
        _ => false,
    };
}
