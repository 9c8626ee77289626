using OrleansRaft.TestSupport;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>Where the built host and CLI are: beside this test assembly's configuration (bin/{Configuration}/net10.0).</summary>
internal static class Paths
{
    public static string HostDll => Built("OrleansRaft.Host", "OrleansRaft.Host.dll", "host");

    public static string CliDll => Built("OrleansRaft.Cli", "orleansraft.dll", "CLI");

    private static string Built(string project, string file, string what)
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent?.Name ?? "Release";
        var dll = RepositoryRoot.Combine("src", project, "bin", configuration, framework.Name, file);
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"The {what} is not built at {dll}.");
    }
}
