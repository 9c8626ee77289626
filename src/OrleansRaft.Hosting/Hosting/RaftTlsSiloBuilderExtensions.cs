using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using Orleans.Connections.Security;
using OrleansRaft.Hosting.Security;
using OrleansRaft.Security;

namespace Orleans.Hosting;

/// <summary>Mutual TLS of a silo's links, with Orleans' own TLS (<c>Microsoft.Orleans.Connections.Security</c>).</summary>
public static class RaftTlsSiloBuilderExtensions
{
    /// <summary>The category of the warnings logged when a peer's certificate is refused.</summary>
    public const string LogCategory = "OrleansRaft.Security.Tls";

    /// <summary>
    /// Every link of this silo runs over mutual TLS: links from and to other silos, whose certificate must chain to
    /// one of <see cref="RaftTlsOptions.TrustedCaPaths"/> and be a silo's (serverAuth and clientAuth), and clients'
    /// links to its gateway, whose certificate must chain there too and carry clientAuth. Anything else, a cleartext
    /// peer included, is dropped at the handshake and logged. A silo refused by the others cannot join the cluster (its
    /// start fails when it cannot reach the active silos), so no grain, Raft members included, is placed on it.
    /// The certificate is read and checked now: a <see cref="RaftTlsException"/> stops the configuration.
    /// </summary>
    public static ISiloBuilder UseOrleansRaftTls(this ISiloBuilder builder, RaftTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var credentials = RaftTlsCredentials.Load(options, "the silo's certificate", RaftTlsCredentials.SiloUsages);
        builder.Services.AddSingleton(credentials);
        builder.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(c => Inbound(c, credentials, "an incoming silo link", RaftTlsCredentials.SiloUsages));
            connections.ConfigureGatewayInboundConnection(c => Inbound(c, credentials, "an incoming client link (gateway)", RaftTlsCredentials.ClientUsages));
            connections.ConfigureSiloOutboundConnection(c => c.UseClientTls(Options(Logger(c), credentials, "an outgoing silo link", RaftTlsCredentials.SiloUsages)));
        });
        return builder;
    }

    private static void Inbound(IConnectionBuilder connection, RaftTlsCredentials credentials, string link, IReadOnlyCollection<string> peerUsages)
    {
        var logger = Logger(connection);
        connection.UseCleartextGuard(logger, link, credentials.HandshakeTimeout);
        connection.UseServerTls(Options(logger, credentials, link, peerUsages));
    }

    private static ILogger Logger(IConnectionBuilder connection) =>
        connection.ApplicationServices.GetService<ILoggerFactory>()?.CreateLogger(LogCategory) ?? NullLogger.Instance;

    /// <summary>TLS of one kind of link: this silo's certificate, presented always, and the peer's required and checked.</summary>
    private static TlsOptions Options(ILogger logger, RaftTlsCredentials credentials, string link, IReadOnlyCollection<string> peerUsages)
    {
        return new TlsOptions
        {
            LocalCertificate = credentials.Certificate,
            RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
            ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
            // With a callback, Orleans leaves the whole decision to it: the platform's own errors (an unknown root, a
            // name mismatch, since links are addressed by IP) are replaced by the check against the cluster's authorities.
            RemoteCertificateValidation = (peer, chain, _) => credentials.Accepts(link, peer, chain, peerUsages, logger),
            HandshakeTimeout = credentials.HandshakeTimeout,
        };
    }
}
