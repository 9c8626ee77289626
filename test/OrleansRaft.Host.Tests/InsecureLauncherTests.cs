using OrleansRaft.Client;
using OrleansRaft.Host.Tests.Infrastructure;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Host.Tests;

/// <summary>The local cluster with <c>--insecure</c>: cleartext Orleans links, no certificates made, none named in cluster.json.</summary>
public sealed class InsecureLauncherTests : IDisposable
{
    private readonly DataDir _dataDir = new();

    public void Dispose() => _dataDir.Dispose();

    [Fact]
    public async Task Insecure_runs_the_links_in_cleartext_and_cluster_json_names_no_certificate()
    {
        await using var launcher = await LauncherProcess.StartAsync(_dataDir.Path, "--insecure");
        Assert.Null(KvConnection.ReadTls(_dataDir.Path));
        await using var connection = await KvConnection.ConnectAsync(_dataDir.Path);

        await connection.Kv.PutAsync("insecure/k", "v", new KvCallOptions { Timeout = TimeSpan.FromSeconds(30) });

        Assert.Equal("v", KvBytes.ToText((await connection.Kv.GetAsync("insecure/k"))!.Value));
        Assert.False(Directory.Exists(Path.Combine(_dataDir.Path, "tls")));
        Assert.Contains("--insecure: the Orleans links (silo to silo, client to gateway) are cleartext", launcher.Output, StringComparison.Ordinal);
        Assert.Contains("Orleans links are cleartext: no Orleans:Tls section is configured.",
            await File.ReadAllTextAsync(Path.Combine(_dataDir.Path, "logs", "silo-1.log")), StringComparison.Ordinal);
    }
}
