namespace OrleansRaft.Core.Tests.Interaction;

/// <summary>
/// Runs every scenario under <c>testdata/</c> and compares its whole trace with the expected one.
/// With <c>ORLEANSRAFT_REWRITE=1</c> the expected traces in the source folder are rewritten instead, for authoring;
/// a rewritten trace must still be read and checked against the Raft rules before it is kept.
/// </summary>
public sealed class InteractionTests
{
    private const string RewriteVariable = "ORLEANSRAFT_REWRITE";

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "testdata"), "*.txt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Scenario(string name)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", name));
        var file = ScenarioFile.Parse(text, name);
        Assert.True(text.StartsWith('#'), $"{name} must open with a '#' comment saying what it proves.");

        var env = new InteractionEnv();
        var traces = new List<IReadOnlyList<string>>();
        foreach (var block in file.Blocks)
        {
            try
            {
                traces.Add(env.Execute(block.Command));
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"{name}:{block.LineNumber}: `{block.Command}` failed: {e.Message}", e);
            }
        }

        var actual = file.Render(traces);
        if (Environment.GetEnvironmentVariable(RewriteVariable) == "1")
        {
            File.WriteAllText(Path.Combine(SourceTestData(), name), actual);
            return;
        }

        var diff = TraceDiff.Describe(ScenarioFile.Lines(text), ScenarioFile.Lines(actual), name);
        Assert.True(diff.Length == 0, diff);
    }

    [Fact]
    public void ThereAreAtLeastFifteenScenarios() => Assert.True(Scenarios().Count >= 15, $"Only {Scenarios().Count} scenarios.");

    /// <summary>The testdata folder next to the project file, found by walking up from the test binaries.</summary>
    private static string SourceTestData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansRaft.Core.Tests.csproj")))
            {
                return Path.Combine(dir.FullName, "testdata");
            }
        }

        throw new DirectoryNotFoundException($"No OrleansRaft.Core.Tests.csproj above {AppContext.BaseDirectory}.");
    }
}
