using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;
using OrleansRaft.Security;
using OrleansRaft.Testing;
using OrleansRaft.TestSupport;
using Xunit.Abstractions;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// Mutual TLS of the Orleans links (<c>UseOrleansRaftTls</c> on silos and clients): a cluster whose silos and client
/// hold certificates of one authority works, and a silo or client of another authority, or a cleartext client, is
/// refused at the handshake while the cluster goes on unchanged.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static readonly ulong[] Members = [1, 2, 3];

    private readonly string _folder = TestFolders.Create("tls");
    private readonly ThrowawayCertificates _certificates;
    private readonly PemFiles _clusterCa;
    private readonly PemFiles _otherCa;
    private readonly X509Certificate2 _cluster;
    private readonly X509Certificate2 _other;

    private readonly ITestOutputHelper _output;

    public TlsTests(ITestOutputHelper output)
    {
        _output = output;
        _certificates = new ThrowawayCertificates(_folder, TimeSpan.FromDays(1));
        _clusterCa = _certificates.NewAuthority("cluster-ca", out _cluster);
        _otherCa = _certificates.NewAuthority("other-ca", out _other);
    }


    public void Dispose()
    {
        _cluster.Dispose();
        _other.Dispose();
        TestFolders.Delete(_folder);
    }

    [Fact]
    public async Task A_silo_of_another_authority_cannot_join_and_no_member_lands_on_it()
    {
        var rogue = false;
        var silo = Options(_certificates.NewSilo(_cluster, "silo"), _clusterCa);
        var rogueSilo = Options(_certificates.NewSilo(_other, "rogue-silo"), _otherCa);
        await using var tls = await StartAsync(configure: (builder, logs) => builder.ConfigureSilo((_, s) =>
        {
            if (rogue)
            {
                // The rogue silo trusts its own authority, so that it starts; the cluster's silos refuse it. It gives
                // up joining after this long instead of Orleans' five minutes.
                s.UseOrleansRaftTls(rogueSilo).Configure<ClusterMembershipOptions>(o => o.MaxJoinAttemptTime = TimeSpan.FromSeconds(10));
            }
            else
            {
                s.UseOrleansRaftTls(silo);
            }
        }));
        var cluster = tls.Cluster;
        var original = cluster.Silos.Select(s => s.SiloAddress.ToString()).ToHashSet();

        rogue = true;
        var joining = cluster.StartAdditionalSiloAsync();
        // Members placed while the rogue silo tries to join go to the cluster's silos only.
        await cluster.Client.GetGrain<IRaftGroupGrain>("during").CreateAsync(new RaftGroupSpec(Members, SequenceStateMachine.TypeName), RaftCluster.AdminToken);
        var during = await cluster.Client.ResolveMembersAsync("during", Members, Bound);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => joining);

        Assert.Contains("OrleansClusterConnectivityCheckFailedException", failure.ToString());
        Assert.All(during, m => Assert.Contains(m.Silo, original));
        var bank = await cluster.Client.ResolveMembersAsync("bank", Members, Bound);
        Assert.All(bank, m => Assert.Contains(m.Silo, original));
        Assert.Equal(original, cluster.Silos.Where(s => s.IsActive).Select(s => s.SiloAddress.ToString()).ToHashSet());
        Assert.Contains(tls.Logs.Entries, e => e.Level == LogLevel.Warning
            && e.Message.Contains("TLS: refused the certificate 'CN=rogue-silo' (issuer 'CN=other-ca'", StringComparison.Ordinal)
            && e.Message.Contains("on an incoming silo link: it is not signed by a trusted authority", StringComparison.Ordinal));
        var proposed = await tls.ProposeAsync("bank");
        Assert.True(proposed.IsOk, $"the proposal after the refusal: {proposed}");
    }

    [Fact]
    public async Task A_client_of_another_authority_and_a_cleartext_client_are_refused_and_nothing_changes()
    {
        await using var tls = await StartAsync();
        var cluster = tls.Cluster;
        var before = await cluster.WaitForLeaderAsync("bank", Members, Bound);

        // The client trusts the cluster's authority (so it accepts the gateway), but its own certificate is another's.
        var rogue = Options(_certificates.NewClient(_other, "rogue-client"), _clusterCa);
        rogue.TrustedCaPaths.Add(_otherCa.Certificate);
        var refused = await tls.ConnectFailsAsync(c => c.UseOrleansRaftTls(rogue));
        var cleartext = await tls.ConnectFailsAsync(_ => { });
        await tls.ReconnectAsync();

        Assert.Contains(tls.Logs.Entries, e => e.Level == LogLevel.Warning
            && e.Message.Contains("TLS: refused the certificate 'CN=rogue-client' (issuer 'CN=other-ca'", StringComparison.Ordinal)
            && e.Message.Contains("on an incoming client link (gateway): it is not signed by a trusted authority", StringComparison.Ordinal));
        Assert.Contains(tls.Logs.Entries, e => e.Level == LogLevel.Warning
            && e.Message.StartsWith("TLS: refused a cleartext connection from ", StringComparison.Ordinal)
            && e.Message.EndsWith("on an incoming client link (gateway): the link requires TLS.", StringComparison.Ordinal));
        var after = await cluster.WaitForLeaderAsync("bank", Members, Bound);
        Assert.Equal((before.MemberId, before.Term), (after.MemberId, after.Term));
        Assert.Equal(3, cluster.Silos.Count(s => s.IsActive));
        Assert.True((await tls.ProposeAsync("bank")).IsOk);
    }

    [Fact]
    public async Task A_client_refuses_a_gateway_of_another_authority()
    {
        await using var tls = await StartAsync();

        // It trusts another authority only, its own: the gateways' certificates fail its check.
        var distrustful = Options(_certificates.NewClient(_other, "distrustful-client"), _otherCa);
        await tls.ConnectFailsAsync(c => c.UseOrleansRaftTls(distrustful));

        Assert.Contains(tls.Logs.Entries, e => e.Level == LogLevel.Warning
            && e.Message.Contains("TLS: refused the certificate 'CN=silo' (issuer 'CN=cluster-ca'", StringComparison.Ordinal)
            && e.Message.Contains("on a link to a gateway: it is not signed by a trusted authority", StringComparison.Ordinal));
    }

    /// <summary>A 3-silo cluster whose silos and client use the cluster's authority, with group "bank" led.</summary>
    private async Task<TlsCluster> StartAsync(Action<InProcessTestClusterBuilder, RecordedLogs>? configure = null)
    {
        var logs = new RecordedLogs();
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.AddOrleansRaft(o => o.AdminToken = RaftCluster.AdminToken);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddLogging(l => l.AddProvider(logs));
            silo.AddRaftStateMachine<SequenceStateMachine>(SequenceStateMachine.TypeName).AddRaftGroup("bank", Members, SequenceStateMachine.TypeName);
        });
        if (configure is null)
        {
            var silo = Options(_certificates.NewSilo(_cluster, "silo"), _clusterCa);
            builder.ConfigureSilo((_, s) => s.UseOrleansRaftTls(silo));
        }
        else
        {
            configure(builder, logs);
        }

        var client = Options(_certificates.NewClient(_cluster, "client"), _clusterCa);
        var tls = new TlsCluster(logs, c => c.UseOrleansRaftTls(client));
        builder.ConfigureClient(c => tls.ConfigureClient(c));
        builder.ConfigureClientHost(h => h.Logging.AddProvider(logs));
        var cluster = builder.Build();
        tls.Cluster = cluster;
        try
        {
            await cluster.DeployAsync();
            await cluster.WaitForMembershipAsync(Bound);
            await cluster.WaitForLeaderAsync("bank", Members, Bound);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return tls;
    }

    private static RaftTlsOptions Options(PemFiles certificate, PemFiles authority)
    {
        var options = new RaftTlsOptions { CertificatePath = certificate.Certificate, KeyPath = certificate.Key };
        options.TrustedCaPaths.Add(authority.Certificate);
        return options;
    }

    /// <summary>
    /// The test cluster, and its client's TLS, which a test may switch: Orleans' in-process cluster connects its client
    /// through an in-memory transport of its own, so another client is that one, built again.
    /// </summary>
    private sealed class TlsCluster(RecordedLogs logs, Action<IClientBuilder> good) : IAsyncDisposable
    {
        private Action<IClientBuilder>? _tls;

        public InProcessTestCluster Cluster { get; set; } = null!;

        public RecordedLogs Logs { get; } = logs;

        public void ConfigureClient(IClientBuilder client) => (_tls ?? good)(client);

        /// <summary>Replaces the client by one configured with <paramref name="tls"/>, which must fail to connect.</summary>
        public async Task<Exception> ConnectFailsAsync(Action<IClientBuilder> tls)
        {
            await Cluster.StopClusterClientAsync();
            _tls = tls;
            // A refused client retries its gateways until told to stop: this bound ends it.
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            return await Assert.ThrowsAnyAsync<Exception>(() => Cluster.InitializeClientAsync(bound.Token));
        }

        /// <summary>The cluster's own client again.</summary>
        public async Task ReconnectAsync()
        {
            await Cluster.StopClusterClientAsync();
            _tls = good;
            await Cluster.InitializeClientAsync();
        }

        public async Task<RaftProposeResult> ProposeAsync(string group)
        {
            var leader = await Cluster.WaitForLeaderAsync(group, Members, Bound);
            return await Cluster.Client.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(group, leader.MemberId)).ProposeAsync(BitConverter.GetBytes(7));
        }

        public ValueTask DisposeAsync() => Cluster.DisposeAsync();
    }
}
