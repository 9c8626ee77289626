using System.IO.Compression;
using System.Xml.Linq;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Cli.Tests;

/// <summary>
/// Every library of src/ packs with the version scheme, its README, the license, repository metadata, XML docs and
/// symbols; the CLI packs as a dotnet tool that installs from the packed package, runs, and uninstalls.
/// </summary>
/// <remarks>Packs the solution's Release build (<c>--no-build</c>), which this project's references build first.</remarks>
public sealed class PackageTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(5);

    private readonly string _folder = TestFolders.Create("packages");

    [Fact]
    public async Task Every_library_packs_with_readme_license_repository_xml_docs_and_symbols_and_the_cli_installs_as_a_tool()
    {
        var packages = Path.Combine(_folder, "packages");
        var pack = await DotnetAsync("pack", RepositoryRoot.Combine("OrleansRaft.sln"), "-c", "Release", "--no-build", "-nologo", "-o", packages);
        Assert.True(pack.ExitCode == 0, pack.ToString());

        var expected = PackableProjects();
        var found = Directory.GetFiles(packages, "*.nupkg").Select(Path.GetFileName).ToList();
        var version = VersionPrefix();
        Assert.Equal(expected.Select(p => $"{p}.{version}.nupkg").Order(), found.Order());
        foreach (var project in expected)
        {
            Assert.True(File.Exists(Path.Combine(packages, $"{project}.{version}.snupkg")), $"{project} has no symbol package.");
            using var zip = ZipFile.OpenRead(Path.Combine(packages, $"{project}.{version}.nupkg"));
            var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

            Assert.Equal(version, Field("version"));
            Assert.Equal("MIT", Field("license"));
            Assert.Equal("README.md", Field("readme"));
            Assert.False(string.IsNullOrWhiteSpace(Field("description")), $"{project} has no description.");
            var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.Equal("git", repository.Attribute("type")?.Value);
            Assert.StartsWith("https://", repository.Attribute("url")?.Value);
            Assert.Contains(zip.Entries, e => e.FullName == "README.md");
            var assembly = project == "OrleansRaft.Cli" ? "orleansraft" : project;
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith($"/{assembly}.dll", StringComparison.Ordinal));
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith($"/{assembly}.xml", StringComparison.Ordinal));
        }

        // The tool, from the packed package only: a NuGet configuration whose one source is the folder.
        var config = Path.Combine(_folder, "nuget.config");
        await File.WriteAllTextAsync(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var tools = Path.Combine(_folder, "tools");
        var install = await DotnetAsync("tool", "install", "OrleansRaft.Cli", "--version", version, "--tool-path", tools, "--configfile", config);
        Assert.True(install.ExitCode == 0, install.ToString());

        var help = await ChildProcess.RunAsync(Path.Combine(tools, "orleansraft"), ["--help"], Options());
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("orleansraft: the command line of the OrleansRaft key-value store", help.Stdout);

        var uninstall = await DotnetAsync("tool", "uninstall", "OrleansRaft.Cli", "--tool-path", tools);
        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        Assert.False(File.Exists(Path.Combine(tools, "orleansraft")), "The tool's command is still there after uninstall.");
    }

    public void Dispose() => TestFolders.Delete(_folder);

    /// <summary>The projects of src/ that pack: all but those that say they do not.</summary>
    private static List<string> PackableProjects() =>
        [.. Directory.GetFiles(RepositoryRoot.Combine("src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !File.ReadAllText(p).Contains("<IsPackable>false</IsPackable>", StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)
            .Select(name => name!)
            .Order(StringComparer.Ordinal)];

    private static string VersionPrefix() =>
        XDocument.Load(RepositoryRoot.Combine("Directory.Build.props")).Descendants("VersionPrefix").Single().Value;

    private Task<ProcessRun> DotnetAsync(params string[] args) => ChildProcess.RunAsync("dotnet", args, Options());

    /// <summary>
    /// Runs in the test's folder, with the dotnet of this process (the tool's launcher looks for it in DOTNET_ROOT), and
    /// with NuGet's caches of the user: the packages it restores are those a user's install would restore.
    /// </summary>
    private ChildProcessOptions Options() => new()
    {
        Bound = Bound,
        WorkingDirectory = _folder,
        Environment = new Dictionary<string, string?>
        {
            ["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..")),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        },
    };
}
