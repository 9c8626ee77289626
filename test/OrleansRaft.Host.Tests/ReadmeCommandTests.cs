using System.Text.RegularExpressions;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Host.Tests;

/// <summary>
/// The README's start command is the one these suites run: the launcher of the Release build (the suites start the
/// host built in their own configuration, Release in <c>./test.sh</c>).
/// </summary>
public sealed partial class ReadmeCommandTests
{
    private const string StartCommand = "dotnet run -c Release --project src/OrleansRaft.Host";

    [Fact]
    public void The_readme_starts_the_service_from_a_Release_build()
    {
        var readme = File.ReadAllText(RepositoryRoot.Combine("README.md"));

        Assert.Contains($"| start the service | `{StartCommand}` |", readme);
        var runs = HostRun().Matches(readme).Select(m => m.Value).ToList();
        Assert.NotEmpty(runs);
        Assert.All(runs, run => Assert.StartsWith(StartCommand, run));
        Assert.True(File.Exists(RepositoryRoot.Combine("src", "OrleansRaft.Host", "OrleansRaft.Host.csproj")));
    }

    [Fact]
    public void The_readme_runs_the_cli_as_the_installed_tool_or_from_a_Release_build()
    {
        var readme = File.ReadAllText(RepositoryRoot.Combine("README.md"));

        Assert.Contains("dotnet tool install --global OrleansRaft.Cli --add-source artifacts", readme);
        Assert.DoesNotMatch(@"dotnet run --project src/OrleansRaft\.(Host|Cli)", readme);
    }

    [GeneratedRegex(@"dotnet run [^`\n]*src/OrleansRaft\.Host\b")]
    private static partial Regex HostRun();
}
