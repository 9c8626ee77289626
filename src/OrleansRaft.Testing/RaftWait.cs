using System.Diagnostics;

namespace OrleansRaft.Testing;

/// <summary>Waits on conditions, never on sleeps: a loaded machine makes a test slower, not wrong.</summary>
public static class RaftWait
{
    /// <summary>How often a condition is polled.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; throws <see cref="TimeoutException"/> naming
    /// <paramref name="what"/> after <paramref name="timeout"/>.
    /// </summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) => UntilAsync(condition, timeout, what, Poll);

    /// <summary>As <see cref="UntilAsync(Func{Task{bool}}, TimeSpan, string)"/>, polling every <paramref name="poll"/>: for a condition costly to ask.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, TimeSpan poll)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout} for {what}.");
            }

            await Task.Delay(poll);
        }
    }
}
