using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using Orleans.Connections.Security;
using OrleansRaft.Security;

namespace Orleans.Hosting;

/// <summary>Mutual TLS of a client's links to the gateways, with Orleans' own TLS (<c>Microsoft.Orleans.Connections.Security</c>).</summary>
public static class RaftTlsClientBuilderExtensions
{
    /// <summary>
    /// The client's links to the gateways run over mutual TLS: it presents its certificate (clientAuth, chaining to the
    /// cluster's authority) and accepts a gateway only if the gateway's certificate chains to one of
    /// <see cref="RaftTlsOptions.TrustedCaPaths"/> and carries serverAuth; a refusal is logged as a warning under
    /// the category <c>OrleansRaft.Security.Tls</c>. The certificate is read and checked now: a
    /// <see cref="RaftTlsException"/> stops the configuration.
    /// </summary>
    /// <example><code>
    /// // The tls object of a local cluster's cluster.json has the shape of RaftTlsOptions.
    /// var tls = new RaftTlsOptions();
    /// configuration.GetSection("tls").Bind(tls);
    /// clientBuilder.UseStaticClustering(gateways).UseOrleansRaftTls(tls);
    /// </code></example>
    public static IClientBuilder UseOrleansRaftTls(this IClientBuilder builder, RaftTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var credentials = RaftTlsCredentials.Load(options, "the client's certificate", RaftTlsCredentials.ClientUsages);
        builder.Services.AddSingleton(credentials);
        builder.Configure<ClientConnectionOptions>(connections => connections.ConfigureConnection(c =>
        {
            var logger = c.ApplicationServices.GetService<ILoggerFactory>()?.CreateLogger("OrleansRaft.Security.Tls") ?? NullLogger.Instance;
            c.UseClientTls(new TlsOptions
            {
                LocalCertificate = credentials.Certificate,
                RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
                ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
                // The callback decides alone: gateways are addressed by IP, so the platform's name check does not apply.
                RemoteCertificateValidation = (peer, chain, _) => credentials.Accepts("a link to a gateway", peer, chain, RaftTlsCredentials.GatewayUsages, logger),
                HandshakeTimeout = credentials.HandshakeTimeout,
            });
        }));
        return builder;
    }
}
