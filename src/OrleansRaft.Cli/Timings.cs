using System.Diagnostics;
using System.Globalization;

namespace OrleansRaft.Cli;

/// <summary>
/// Where a command's time goes, for measuring the CLI's latency: with <c>ORLEANSRAFT_CLI_TIMINGS=1</c> each phase's end
/// is written to standard error, in milliseconds since the process started. Off, it writes nothing and costs a branch.
/// </summary>
internal static class Timings
{
    public const string Variable = "ORLEANSRAFT_CLI_TIMINGS";

    private static readonly bool Enabled = Environment.GetEnvironmentVariable(Variable) == "1";

    public static void Mark(string phase)
    {
        if (Enabled)
        {
            var since = DateTime.Now - Process.GetCurrentProcess().StartTime;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"timing: {since.TotalMilliseconds,7:F0} ms  {phase}"));
        }
    }
}
