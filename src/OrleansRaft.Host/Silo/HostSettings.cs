using OrleansRaft.Etcd.Hosting;

namespace OrleansRaft.Host.Silo;

/// <summary>How the silos of a cluster find each other.</summary>
internal enum ClusteringKind
{
    /// <summary>Membership in PostgreSQL (the <c>orleansmembershiptable</c> of the schema): any number of processes or machines.</summary>
    AdoNet,

    /// <summary>One silo alone, its own primary; nothing is shared.</summary>
    Localhost,
}

/// <summary>The section <c>Cluster</c>.</summary>
internal sealed class ClusterSettings
{
    public string ClusterId { get; set; } = "orleansraft";

    public string ServiceId { get; set; } = "orleansraft";

    public ClusteringKind Clustering { get; set; } = ClusteringKind.AdoNet;

    /// <summary>
    /// How many active silos a silo waits for (at most <see cref="ExpectedSilosTimeout"/>) before it creates the groups
    /// of <c>Groups</c>: members are placed on distinct silos only among those present when the group starts.
    /// </summary>
    public int ExpectedSilos { get; set; } = 1;

    public TimeSpan ExpectedSilosTimeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>The section <c>Silo</c>.</summary>
internal sealed class SiloSettings
{
    /// <summary>The address the silo listens on and advertises to the cluster.</summary>
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The silo's name in the cluster's membership and on the status page; the machine name when empty.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// Set by the launcher: the silo stops (gracefully) when its standard input closes, so that it never outlives
    /// the launcher that started it.
    /// </summary>
    public bool Supervised { get; set; }
}

/// <summary>The section <c>Status</c>: the status page, served over HTTP.</summary>
internal sealed class StatusSettings
{
    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 8080;
}

/// <summary>
/// The section <c>Etcd</c>: the etcd v3 gRPC gateway, served with HTTP/2 (cleartext, or TLS with <c>Etcd:Tls</c>) on
/// its own Kestrel endpoint of the host that serves the status page.
/// </summary>
internal sealed class EtcdSettings
{
    public bool Enabled { get; set; } = true;

    public string Address { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 2379;

    /// <summary>
    /// The key-value group the gateway serves to requests that choose none with the <c>orleansraft-group</c> metadata
    /// header; the first group of <c>Groups</c> when empty, else "kv".
    /// </summary>
    public string? Group { get; set; }

    /// <summary>
    /// How long the gateway tries a request (retries included) before it answers <c>Unavailable</c>, "request timed out":
    /// while a group has no leader or its members' storage is down. The key-value client's default (10 s) when empty.
    /// </summary>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>The groups a request may choose with the <c>orleansraft-group</c> header besides <see cref="Group"/>; empty: any.</summary>
    public string[] AllowedGroups { get; set; } = [];

    /// <summary>
    /// The client URLs of this silo's gateway: Cluster.MemberList reports them for the members on this silo (each silo's
    /// members advertise their silo's). When empty, <c>http://Address:Port</c> unless the address is a wildcard; with
    /// none, a member list names the URL the caller used.
    /// </summary>
    public string[] AdvertisedClientUrls { get; set; } = [];

    /// <summary>How long an etcd simple token lives after its last use (etcd's <c>--auth-token-ttl</c>).</summary>
    public TimeSpan TokenTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>PBKDF2 iterations of the password hashes the gateway makes.</summary>
    public int PasswordHashIterations { get; set; } = KeyValue.PasswordHash.DefaultIterations;

    /// <summary>The section <c>Etcd:Tls</c>: TLS of the gateway's endpoint; absent: cleartext.</summary>
    public EtcdTlsSettings? Tls { get; set; }

    /// <summary><see cref="AdvertisedClientUrls"/>, or the URL of <see cref="Address"/> and <see cref="Port"/> when that is one address.</summary>
    public string[] ClientUrls()
    {
        if (AdvertisedClientUrls.Length > 0)
        {
            return AdvertisedClientUrls;
        }

        var scheme = Tls is null ? "http" : "https";
        if (System.Net.IPAddress.TryParse(Address, out var ip) && !ip.Equals(System.Net.IPAddress.Any) && !ip.Equals(System.Net.IPAddress.IPv6Any))
        {
            var host = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();
            return [$"{scheme}://{host}:{Port}"];
        }

        return string.Equals(Address, "localhost", StringComparison.OrdinalIgnoreCase) ? [$"{scheme}://localhost:{Port}"] : [];
    }
}

/// <summary>The section <c>Etcd:Tls</c> (see <see cref="EtcdTlsOptions"/>).</summary>
internal sealed class EtcdTlsSettings
{
    public string CertificatePath { get; set; } = "";

    public string? KeyPath { get; set; }

    /// <summary>A secret: from configuration (environment, user secrets), never logged.</summary>
    public string? CertificatePassword { get; set; }

    public string[] TrustedCaPaths { get; set; } = [];

    public bool ClientCertAuth { get; set; }

    public EtcdTlsOptions ToOptions()
    {
        var options = new EtcdTlsOptions { CertificatePath = CertificatePath, KeyPath = KeyPath, CertificatePassword = CertificatePassword, ClientCertAuth = ClientCertAuth };
        foreach (var path in TrustedCaPaths)
        {
            options.TrustedCaPaths.Add(path);
        }

        return options;
    }
}

/// <summary>
/// The section <c>Metrics</c>: OpenTelemetry exporters of the <c>OrleansRaft</c> and Orleans meters. Both are off
/// by default.
/// </summary>
internal sealed class MetricsSettings
{
    /// <summary>Serve the Prometheus text format at <c>/metrics</c> on the status page's port.</summary>
    public bool Prometheus { get; set; }

    /// <summary>Push to an OTLP collector at this URL (for example <c>http://127.0.0.1:4317</c>); off when empty.</summary>
    public string? OtlpEndpoint { get; set; }
}

/// <summary>The section <c>Storage</c>: which grain storage provider keeps the Raft logs in PostgreSQL.</summary>
internal sealed class StorageSettings
{
    /// <summary>
    /// <see cref="StorageProviderKind.Batching"/> (the default): OrleansRaft's provider, whose writes of all the silo's
    /// groups share round trips; <see cref="StorageProviderKind.AdoNet"/>: Orleans' ADO.NET provider, one round trip per write.
    /// </summary>
    public StorageProviderKind Provider { get; set; } = StorageProviderKind.Batching;
}

/// <summary>The grain storage providers the host can keep the Raft logs in.</summary>
internal enum StorageProviderKind
{
    Batching,
    AdoNet,
}

/// <summary>One entry of the section <c>Groups</c>: a key-value group the silos create at start (idempotently).</summary>
internal sealed class GroupSettings
{
    public string Id { get; set; } = "";

    public ulong[] Members { get; set; } = [];
}
