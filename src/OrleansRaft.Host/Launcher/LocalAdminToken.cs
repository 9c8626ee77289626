using System.Security.Cryptography;

namespace OrleansRaft.Host.Launcher;

/// <summary>
/// The admin token of a local cluster: <c>{data-dir}/admin-token</c>, beside cluster.json, created with a random value
/// on the first start and readable by its owner only. The launcher hands it to its silos as <c>Raft:AdminToken</c>;
/// the CLI reads the same file when neither --admin-token nor $ORLEANSRAFT_ADMIN_TOKEN is given.
/// </summary>
internal static class LocalAdminToken
{
    public const string FileName = "admin-token";

    public static string LoadOrCreate(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        Directory.CreateDirectory(dataDir);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, options))
        {
            writer.Write(token);
        }

        return token;
    }
}
