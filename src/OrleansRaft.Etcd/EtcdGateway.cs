using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansRaft.Abstractions;
using OrleansRaft.Etcd.Auth;
using OrleansRaft.Etcd.Hosting;

namespace OrleansRaft.Etcd;

/// <summary>
/// The groups the gateway's services serve: <see cref="EtcdGatewayOptions.GroupId"/> by default, or the group a
/// request names in the <see cref="EtcdGroupHeader.Name"/> metadata header. What the gateway holds per group (an
/// <see cref="EtcdGroup"/>: client session, ids, status) is made on the first request for it.
/// </summary>
/// <remarks>
/// <para>
/// A gateway that runs in a silo (its services hold Orleans' <c>ILocalSiloDetails</c>) speaks for the member of each
/// group on that silo, as an etcd endpoint speaks for its own member: Status reports that member, and response headers
/// carry its id and term. A gateway outside the silos, or on a silo that hosts no member of the group that answers,
/// serves as etcd's gRPC proxy does: Status reports the leader, and headers carry the member that served the request.
/// </para>
/// A group chosen by header that has not been asked for during <see cref="EtcdGatewayOptions.GroupIdleTimeout"/> is
/// dropped by the next request that chooses a group (a sweep at most every quarter of the timeout), so that a gateway
/// asked once for each of many groups does not keep them all. It is dropped, not disposed: a call still running (a
/// watch, a keepalive stream) keeps its own reference and goes on, and the store idles the dropped session out. A
/// group that does not exist is never kept. Idle time is read from the host's <see cref="TimeProvider"/>.
/// </remarks>
public sealed class EtcdGateway : IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly EtcdGatewayOptions _options;
    private readonly ILogger _logger;
    private readonly string _clusterName;
    private readonly TimeProvider _time;
    private readonly string? _localSilo;
    private readonly EtcdGroup _default;
    private readonly KeyValue.KvTokenSigner? _signer;
    private readonly ConcurrentDictionary<string, EtcdGroup> _chosen = new(StringComparer.Ordinal);
    private long _sweptAt;

    public EtcdGateway(IGrainFactory grains, IOptions<EtcdGatewayOptions> options, ILogger<EtcdGateway> logger, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        _grains = grains;
        _options = options.Value;
        _options.Validate();
        _logger = logger;
        _clusterName = _options.ClusterName ?? services.GetService<IOptions<ClusterOptions>>()?.Value.ServiceId ?? "orleansraft";
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _sweptAt = _time.GetTimestamp();
        _localSilo = services.GetService<ILocalSiloDetails>()?.SiloAddress.ToString();
        _default = new EtcdGroup(_grains, _options, _logger, _time, _clusterName, _options.GroupId, _localSilo);
        Tokens = new EtcdTokens(_time, _options.TokenTtl);
        _signer = services.GetService<KeyValue.KvTokenSigner>();
    }

    /// <summary>The simple tokens this gateway issued.</summary>
    internal EtcdTokens Tokens { get; }

    internal EtcdGatewayOptions Options => _options;

    /// <summary>The group served to requests that name none.</summary>
    public string GroupId => _default.GroupId;

    /// <summary>etcd's cluster id of the default group, derived from the cluster name and the group id.</summary>
    public ulong ClusterId => _default.ClusterId;

    /// <summary>The groups chosen by header that the gateway holds now.</summary>
    internal IReadOnlyCollection<string> ChosenGroups => [.. _chosen.Keys];

    /// <summary>etcd's cluster id of <paramref name="groupId"/> on this cluster.</summary>
    public ulong ClusterIdOf(string groupId) => EtcdIds.Cluster(_clusterName, groupId);

    /// <summary>etcd's member id of Raft member <paramref name="raftMemberId"/> of the default group; 0 for 0 (unknown).</summary>
    public ulong EtcdMemberId(ulong raftMemberId) => _default.EtcdMemberId(raftMemberId);

    /// <summary>etcd's member id of Raft member <paramref name="raftMemberId"/> of <paramref name="groupId"/>; 0 for 0 (unknown).</summary>
    public ulong EtcdMemberId(string groupId, ulong raftMemberId) => raftMemberId == 0 ? 0 : EtcdIds.Member(_clusterName, groupId, raftMemberId);

    /// <summary>
    /// The group that serves the call, connected: the one its <see cref="EtcdGroupHeader.Name"/> header names, else
    /// the default. Throws <see cref="RpcException"/> (<c>InvalidArgument</c>) for an invalid header,
    /// (<c>PermissionDenied</c>) for a group outside <see cref="EtcdGatewayOptions.AllowedGroups"/>, and
    /// <see cref="RaftGroupNotFoundException"/> (answered as for the default group) for a group that does not exist.
    /// </summary>
    internal async ValueTask<EtcdGroup> GroupAsync(ServerCallContext context)
    {
        var group = Choose(EtcdGroupHeader.From(context.RequestHeaders));
        group.Touch();
        try
        {
            await group.ClientAsync(context.CancellationToken);
        }
        catch (RaftGroupNotFoundException) when (group != _default)
        {
            _chosen.TryRemove(new KeyValuePair<string, EtcdGroup>(group.GroupId, group));
            throw;
        }

        return group;
    }

    /// <summary>
    /// Who makes the call, for <paramref name="group"/>: the user of its <see cref="EtcdCaller.TokenHeader"/> token (a
    /// token this gateway does not know, or one of another group, is passed on as unknown for the store to refuse while
    /// auth is enabled); without a token, the common name of its client certificate with
    /// <see cref="EtcdTlsOptions.ClientCertAuth"/> (as etcd), else anonymous.
    /// </summary>
    internal EtcdCaller CallerOf(ServerCallContext context, EtcdGroup group)
    {
        var token = context.RequestHeaders.GetValue(EtcdCaller.TokenHeader);
        if (string.IsNullOrEmpty(token))
        {
            // Kestrel accepted the certificate only if it chains to a trusted authority (EtcdTls).
            return _options.Tls is { ClientCertAuth: true } && context.GetHttpContext().Connection.ClientCertificate is { } certificate
                && certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is { Length: > 0 } commonName
                ? new EtcdCaller(commonName, EtcdCaller.CertificateRevision, UnknownToken: false, group.GroupId, _signer)
                : EtcdCaller.Anonymous;
        }

        return Tokens.TryResolve(token, group.GroupId, out var user, out var revision)
            ? new EtcdCaller(user, revision, UnknownToken: false, group.GroupId, _signer)
            : new EtcdCaller(null, 0, UnknownToken: true);
    }

    public async ValueTask DisposeAsync()
    {
        await _default.DisposeAsync();
        foreach (var group in _chosen.Values)
        {
            await group.DisposeAsync();
        }

        _chosen.Clear();
    }

    private EtcdGroup Choose(string? groupId)
    {
        if (groupId is null || string.Equals(groupId, _default.GroupId, StringComparison.Ordinal))
        {
            return _default;
        }

        if (_options.AllowedGroups.Count > 0 && !_options.AllowedGroups.Contains(groupId))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"OrleansRaft etcd gateway: this gateway does not serve the key-value group '{groupId}'."));
        }

        SweepIdle();
        return _chosen.GetOrAdd(groupId, static (id, self) => new EtcdGroup(self._grains, self._options, self._logger, self._time, self._clusterName, id, self._localSilo), this);
    }

    /// <summary>Drops the chosen groups idle for longer than <see cref="EtcdGatewayOptions.GroupIdleTimeout"/>; at most once per quarter of it.</summary>
    private void SweepIdle()
    {
        var timeout = _options.GroupIdleTimeout;
        var sweptAt = Interlocked.Read(ref _sweptAt);
        if (_time.GetElapsedTime(sweptAt) < timeout / 4 || Interlocked.CompareExchange(ref _sweptAt, _time.GetTimestamp(), sweptAt) != sweptAt)
        {
            return;
        }

        foreach (var (id, group) in _chosen)
        {
            if (group.Idle > timeout)
            {
                _chosen.TryRemove(new KeyValuePair<string, EtcdGroup>(id, group));
            }
        }
    }
}
