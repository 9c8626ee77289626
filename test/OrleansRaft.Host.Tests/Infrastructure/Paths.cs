namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>Where the repository and the built host are, found from this test assembly's output folder.</summary>
internal static class Paths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The host built in the same configuration as these tests (bin/{Configuration}/net10.0).</summary>
    public static string HostDll
    {
        get
        {
            var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = framework.Parent?.Name ?? "Release";
            var dll = Path.Combine(Root, "src", "OrleansRaft.Host", "bin", configuration, framework.Name, "OrleansRaft.Host.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"The host is not built at {dll}.");
        }
    }

    public static string LocalSh => Path.Combine(Root, "infra", "postgres", "local.sh");

    public static string NewDataDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "orleansraft-host-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansRaft.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No OrleansRaft.sln above {AppContext.BaseDirectory}.");
    }
}
