using OrleansRaft.TestSupport;

namespace OrleansRaft.Cli.Tests.Infrastructure;

/// <summary>Assertions on a CLI run that print the whole run when they fail.</summary>
public static class Expect
{
    /// <summary>Exit 0 and nothing on standard error.</summary>
    public static ProcessRun Ok(ProcessRun result) => Exit(0, result, stderrEmpty: true);

    public static ProcessRun Exit(int code, ProcessRun result, bool stderrEmpty = false)
    {
        Assert.True(result.ExitCode == code && (!stderrEmpty || result.Stderr.Length == 0), $"expected exit {code}\n{result}");
        return result;
    }

    /// <summary>Exit <paramref name="code"/>, nothing on standard output, and <paramref name="message"/> on standard error.</summary>
    public static ProcessRun Error(int code, string message, ProcessRun result)
    {
        Assert.True(result.ExitCode == code && result.Stdout.Length == 0 && result.Stderr.Contains(message, StringComparison.Ordinal), $"expected exit {code} and \"{message}\"\n{result}");
        return result;
    }
}
