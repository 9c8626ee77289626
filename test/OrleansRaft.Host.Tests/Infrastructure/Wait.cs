using System.Diagnostics;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>Waits on a condition, polling, within a bound; fails with what was awaited.</summary>
internal static class Wait
{
    public static async Task<T> ForAsync<T>(Func<Task<T?>> probe, TimeSpan bound, string what)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < bound)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception exception)
            {
                last = exception;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Waited {bound} for {what}." + (last is null ? "" : $" Last error: {last.Message}"), last);
    }

    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan bound, string what) =>
        ForAsync<object>(async () => await condition() ? new object() : null, bound, what);

    public static Task UntilAsync(Func<bool> condition, TimeSpan bound, string what) =>
        UntilAsync(() => Task.FromResult(condition()), bound, what);
}
