namespace OrleansRaft.Linearizability;

/// <summary>
/// One call to the system under test, as its client saw it: when it was called, when (if ever) it returned,
/// what it asked and what it answered.
/// </summary>
/// <remarks>
/// Times are ticks of any monotonic clock shared by all clients (logical or real). Operation A precedes
/// operation B in real time exactly when <c>A.Return &lt; B.Call</c>; equal times count as concurrent, so give
/// two events distinct times whenever their order is known (a global event counter does this).
/// A pending operation never returned (a timeout, a crashed client): it may or may not have taken effect, at
/// any moment after its call, and its output is unknown.
/// </remarks>
public sealed class Operation<TInput, TOutput>
{
    internal Operation(int clientId, long call, long @return, TInput input, TOutput? output)
    {
        ClientId = clientId;
        Call = call;
        Return = @return;
        Input = input;
        Output = output;
    }

    public int ClientId { get; }

    public long Call { get; }

    /// <summary>The return time, or <see cref="Operation.NeverReturned"/> for a pending operation.</summary>
    public long Return { get; }

    public TInput Input { get; }

    /// <summary>The output the client received; the default value for a pending operation.</summary>
    public TOutput? Output { get; }

    public bool IsPending => Return == Operation.NeverReturned;

    public override string ToString() =>
        $"client {ClientId} [{Call}..{(IsPending ? "" : Return.ToString(System.Globalization.CultureInfo.InvariantCulture))}] " +
        $"{Input} -> {(IsPending ? "(no response)" : Output?.ToString())}";
}

/// <summary>Creates operations and validates their times.</summary>
public static class Operation
{
    /// <summary>The return time of an operation that never returned.</summary>
    public const long NeverReturned = long.MaxValue;

    public static Operation<TInput, TOutput> Completed<TInput, TOutput>(
        int clientId, long call, long @return, TInput input, TOutput output)
    {
        if (call == NeverReturned)
        {
            throw new ArgumentOutOfRangeException(nameof(call), call, "The call time must be less than long.MaxValue.");
        }

        if (@return < call || @return == NeverReturned)
        {
            throw new ArgumentOutOfRangeException(
                nameof(@return), @return, $"The return time must be at least the call time ({call}) and less than long.MaxValue.");
        }

        return new Operation<TInput, TOutput>(clientId, call, @return, input, output);
    }

    public static Operation<TInput, TOutput> Pending<TInput, TOutput>(int clientId, long call, TInput input)
    {
        if (call == NeverReturned)
        {
            throw new ArgumentOutOfRangeException(nameof(call), call, "The call time must be less than long.MaxValue.");
        }

        return new Operation<TInput, TOutput>(clientId, call, NeverReturned, input, default);
    }
}
