using System.Reflection;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Cli.Tests.Infrastructure;

/// <summary>
/// The CLI run as a user runs it: <c>dotnet orleansraft.dll ARGS</c> in its own process, with its own environment
/// and standard input. Every wait is bounded by <see cref="Bound"/>.
/// </summary>
public static class CliProcess
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly string Assembly = typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CliAssembly").Value!;

    public static ChildProcess Start(IEnumerable<string> args, byte[]? stdin = null, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        // The environment names no gateways unless the test says so.
        var variables = new Dictionary<string, string?> { ["ORLEANSRAFT_GATEWAYS"] = null };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            variables[name] = value;
        }

        return ChildProcess.Start("dotnet", [Assembly, .. args], new ChildProcessOptions
        {
            Bound = Bound,
            Input = stdin,
            WorkingDirectory = workingDirectory,
            Environment = variables,
            DefaultSigInt = true,
        });
    }

    public static async Task<ProcessRun> RunAsync(IEnumerable<string> args, byte[]? stdin = null, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        using var process = Start(args, stdin, environment, workingDirectory);
        return await process.WaitForExitAsync();
    }
}
