using System.Net;
using OrleansRaft.Client;

namespace OrleansRaft.Etcd.Hosting;

/// <summary>Settings of the etcd v3 gateway (see <see cref="EtcdGatewayExtensions"/>).</summary>
public sealed class EtcdGatewayOptions
{
    /// <summary>The port etcd clients use by default.</summary>
    public const int DefaultPort = 2379;

    /// <summary>
    /// The key-value group (keyspace) a request is served from when it names none in the
    /// <see cref="EtcdGroupHeader.Name"/> metadata header; it must exist before the first such request is served.
    /// </summary>
    public string GroupId { get; set; } = "kv";

    /// <summary>
    /// The groups a request may choose with the <see cref="EtcdGroupHeader.Name"/> metadata header, besides
    /// <see cref="GroupId"/>. Empty (the default): any key-value group of the cluster. A group that is not listed
    /// answers <c>PermissionDenied</c>.
    /// </summary>
    public ISet<string> AllowedGroups { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// How long the gateway keeps what it holds for a group chosen by header (its client session, member ids and
    /// status) after the last request for it; the next request connects again. <see cref="GroupId"/> is kept for the
    /// gateway's lifetime.
    /// </summary>
    public TimeSpan GroupIdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Where Kestrel listens for the gateway, with HTTP/2 (cleartext, or TLS with <see cref="Tls"/>). Loopback by
    /// default; port 0 picks a free port. Null leaves Kestrel's endpoints to the host.
    /// </summary>
    public IPEndPoint? Endpoint { get; set; } = new(IPAddress.Loopback, DefaultPort);

    /// <summary>
    /// The name the cluster id is derived from (with <see cref="GroupId"/>). Null uses Orleans' <c>ServiceId</c>
    /// when the host registers <c>ClusterOptions</c>, else "orleansraft".
    /// </summary>
    public string? ClusterName { get; set; }

    /// <summary>
    /// The name under which a silo advertises its gateway's client URLs to the members it hosts (a host sets them in
    /// <c>OrleansRaftOptions.AdvertisedEndpoints</c>), so that Cluster.MemberList reports each member with the URLs of
    /// the gateway on its silo.
    /// </summary>
    public const string AdvertisedEndpointName = "etcd";

    /// <summary>
    /// This gateway's client URLs: what Cluster.MemberList reports for a member whose silo advertises none (any gateway
    /// serves every member). Empty reports the URL the caller reached the gateway with. A host that runs the gateway in
    /// a silo advertises the same URLs under <see cref="AdvertisedEndpointName"/>.
    /// </summary>
    public IList<string> AdvertisedClientUrls { get; } = [];

    /// <summary>The <see cref="KvClient"/> settings the gateway uses towards the group.</summary>
    public KvClientOptions Client { get; set; } = new();

    /// <summary>How long a watch that is up to date waits before it asks the store for new events again.</summary>
    public TimeSpan WatchPollInterval { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// How often a watch created with <c>progress_notify</c> gets an empty response when no event was sent (etcd's
    /// own interval is ten minutes).
    /// </summary>
    public TimeSpan ProgressNotifyInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How old the members' Raft status (terms, leader, indexes) may grow before a response triggers a refresh.
    /// Response headers carry the serving member's term as of that status.
    /// </summary>
    public TimeSpan StatusRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The largest gRPC message the gateway receives, in bytes: etcd's, its largest request (1.5 MiB) plus 512 KiB of
    /// gRPC overhead, 2 MiB. A larger one is refused by gRPC with <c>ResourceExhausted</c> before the store sees it.
    /// </summary>
    public int MaxReceiveMessageBytes { get; set; } = (1536 + 512) * 1024;

    /// <summary>
    /// TLS of <see cref="Endpoint"/>; null (the default) serves HTTP/2 cleartext. A host that sets up Kestrel itself
    /// applies it with <see cref="EtcdTls.UseOrleansRaftEtcdTls"/>; <see cref="EtcdTlsOptions.ClientCertAuth"/> takes
    /// effect either way.
    /// </summary>
    public EtcdTlsOptions? Tls { get; set; }

    /// <summary>
    /// How long a simple token that Authenticate issued lives after its last use (etcd's <c>--auth-token-ttl</c>, 300 s
    /// by default). Tokens are held in the gateway's memory: another gateway does not know them.
    /// </summary>
    public TimeSpan TokenTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// PBKDF2 iterations of the password hashes this gateway makes for user add and password change (see
    /// <see cref="KeyValue.PasswordHash"/>); every member checks a password with the iterations stored in its hash.
    /// </summary>
    public int PasswordHashIterations { get; set; } = KeyValue.PasswordHash.DefaultIterations;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(GroupId))
        {
            throw new ArgumentException("EtcdGatewayOptions.GroupId must name a key-value group.");
        }

        if (EtcdGroupHeader.Invalid(GroupId) is { } reason)
        {
            throw new ArgumentException($"EtcdGatewayOptions.GroupId: {reason}");
        }

        foreach (var allowed in AllowedGroups)
        {
            if (EtcdGroupHeader.Invalid(allowed) is { } bad)
            {
                throw new ArgumentException($"EtcdGatewayOptions.AllowedGroups: {bad}");
            }
        }

        if (GroupIdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"EtcdGatewayOptions.GroupIdleTimeout ({GroupIdleTimeout}) must be positive.");
        }

        if (WatchPollInterval <= TimeSpan.Zero || ProgressNotifyInterval <= TimeSpan.Zero || StatusRefreshInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"EtcdGatewayOptions: WatchPollInterval ({WatchPollInterval}), ProgressNotifyInterval ({ProgressNotifyInterval}) and StatusRefreshInterval ({StatusRefreshInterval}) must be positive.");
        }

        if (MaxReceiveMessageBytes < 1024)
        {
            throw new ArgumentException($"EtcdGatewayOptions.MaxReceiveMessageBytes ({MaxReceiveMessageBytes}) must be at least 1024.");
        }

        Tls?.Validate();
        if (TokenTtl <= TimeSpan.Zero)
        {
            throw new ArgumentException($"EtcdGatewayOptions.TokenTtl ({TokenTtl}) must be positive.");
        }

        if (PasswordHashIterations < 1_000 || PasswordHashIterations > KeyValue.PasswordHash.MaxIterations)
        {
            throw new ArgumentException(
                $"EtcdGatewayOptions.PasswordHashIterations ({PasswordHashIterations}) must be between 1000 and {KeyValue.PasswordHash.MaxIterations}.");
        }

        ArgumentNullException.ThrowIfNull(Client, nameof(Client));
    }
}
