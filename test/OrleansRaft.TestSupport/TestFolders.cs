namespace OrleansRaft.TestSupport;

/// <summary>
/// Where tests keep what they make on disk: under <see cref="Root"/>, which test.sh sets per run (through
/// <see cref="EnvironmentVariable"/>) so that it can stop and remove whatever a test left there, and check that
/// nothing was left. Without it, the root is a folder under the system's temporary folder.
/// </summary>
public static class TestFolders
{
    public const string EnvironmentVariable = "ORLEANSRAFT_TEST_ROOT";

    /// <summary>
    /// rwxr-xr-x. When the tests run as root, local.sh runs the server as the postgres user: the folders must let it
    /// through, or local.sh keeps the cluster in a fallback folder under /var/tmp, outside the run's root.
    /// </summary>
    private const UnixFileMode Reachable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                           UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
                                           UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    public static string Root { get; } =
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } root
            ? System.IO.Path.GetFullPath(root)
            : System.IO.Path.Combine(System.IO.Path.GetTempPath(), "orleansraft-tests");

    /// <summary>A new, empty folder under <see cref="Root"/>, named <c>{prefix}-{process id}-{random}</c>.</summary>
    public static string Create(string prefix)
    {
        MakeReachable(Root);
        var folder = System.IO.Path.Combine(Root, $"{prefix}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        MakeReachable(folder);
        return folder;
    }

    /// <summary>Deletes <paramref name="folder"/> and what it holds, if it is there.</summary>
    public static void Delete(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void MakeReachable(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }

        // CreateDirectory applies the umask (077 on some machines), and leaves an existing folder as it was.
        Directory.CreateDirectory(folder, Reachable);
        if ((File.GetUnixFileMode(folder) & Reachable) != Reachable)
        {
            File.SetUnixFileMode(folder, Reachable);
        }
    }
}
