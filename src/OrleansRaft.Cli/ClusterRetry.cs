using System.Diagnostics;

namespace OrleansRaft.Cli;

/// <summary>
/// Retries a read-only cluster call that failed because a silo is unreachable. A grain whose activation sat on a silo
/// that just died fails at once until Orleans declares the silo dead and activates it elsewhere, which takes seconds;
/// a user who asked for a status would rather wait that out, within the command's timeout.
/// </summary>
internal static class ClusterRetry
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(1);

    public static async Task<T> ReadAsync<T>(Func<Task<T>> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var pause = FirstPause;
        while (true)
        {
            try
            {
                return await call().WaitAsync(timeout - clock.Elapsed, cancellationToken);
            }
            catch (OrleansException) when (clock.Elapsed + pause < timeout)
            {
                await Task.Delay(pause, cancellationToken);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
            }
        }
    }
}
