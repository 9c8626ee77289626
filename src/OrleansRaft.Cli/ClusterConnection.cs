using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansRaft.Client;
using OrleansRaft.Security;

namespace OrleansRaft.Cli;

/// <summary>
/// An Orleans client connected to the cluster through a static list of gateways. Connecting retries until the
/// timeout, so that a cluster still starting is waited for; past it, the error names every gateway tried.
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(1);

    private readonly IHost _host;

    private ClusterConnection(IHost host, ConnectionSettings settings)
    {
        _host = host;
        Settings = settings;
        Client = host.Services.GetRequiredService<IClusterClient>();
    }

    public ConnectionSettings Settings { get; }

    public IClusterClient Client { get; }

    public KvClientOptions KvOptions => new() { RequestTimeout = Settings.Timeout, Credentials = Settings.User };

    public static async Task<ClusterConnection> ConnectAsync(ConnectionSettings settings, CancellationToken cancellationToken)
    {
        var endpoints = settings.Gateways.Select(g => Gateways.Resolve(g, settings.GatewaySource)).ToArray();
        Exception? lastFailure = null;
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        var tlsFailures = new TlsFailures();
        builder.Logging.AddProvider(tlsFailures);

        // Ctrl-C belongs to the command (it ends a watch cleanly), not to the client's host.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(endpoints);
            if (settings.Tls is { } tls)
            {
                try
                {
                    client.UseOrleansRaftTls(tls);
                }
                catch (RaftTlsException e)
                {
                    throw new CliException(ExitCodes.Usage, $"The client's TLS (from {settings.TlsSource}) cannot work: {e.Message}");
                }
            }

            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = settings.Timeout);
            client.UseConnectionRetryFilter(async (failure, token) =>
            {
                lastFailure = failure;
                await Task.Delay(RetryPause, token);
                return true;
            });
        });

        var host = builder.Build();
        Timings.Mark("orleans client built");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            await host.StartAsync(deadline.Token);
            Timings.Mark("orleans client connected");
            return new ClusterConnection(host, settings);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is OperationCanceledException or OrleansException or TimeoutException or System.Net.Sockets.SocketException)
        {
            host.Dispose();
            var failure = e is OperationCanceledException ? lastFailure : e;
            throw new CliException(ExitCodes.Unreachable, Unreachable(settings, endpoints, clock.Elapsed, failure, tlsFailures.Last));
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(StopBound);
        try
        {
            await _host.StopAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            // The process exits anyway; the gateways notice the closed connections.
        }

        _host.Dispose();
        Timings.Mark("orleans client closed");
    }

    private static string Unreachable(ConnectionSettings settings, IPEndPoint[] endpoints, TimeSpan waited, Exception? failure, string? tlsFailure)
    {
        var tried = string.Join(", ", settings.Gateways.Zip(endpoints, (text, endpoint) => text == endpoint.ToString() ? text : $"{text} ({endpoint})"));
        var reason = failure is null ? string.Empty : $" Last error: {Flatten(failure)}";
        var link = settings.Tls is { } tls
            ? $", over mutual TLS (from {settings.TlsSource}: {tls})"
            : ", in cleartext";
        var tlsReason = tlsFailure is null ? string.Empty : $"\nTLS: {tlsFailure}";
        var hint = settings.Tls is null
            ? "Is the cluster running? Check the gateway addresses, or raise --timeout. If the gateways require TLS (the local cluster does unless "
              + $"started with --insecure), give the client certificate: --tls-cert, --tls-key and --tls-ca, or the tls object of {ClusterFile.FileName}."
            : "Is the cluster running? Check the gateway addresses, or raise --timeout. If the gateways refuse the TLS handshake, the client certificate "
              + "must chain to the cluster's authority and the gateways' to one of --tls-ca (the silos log each certificate they refuse).";
        return $"Cannot reach the cluster '{settings.ClusterId}' (service '{settings.ServiceId}'): "
            + $"no connection through the gateways {tried} (from {settings.GatewaySource}) within {Durations.Show(waited)}{link}.{reason}{tlsReason}\n"
            + hint;
    }

    /// <summary>A host lifetime that leaves process signals alone: the command line's parser handles them.</summary>
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static string Flatten(Exception failure)
    {
        var root = failure;
        while (root.InnerException is not null && root is AggregateException or OrleansException)
        {
            root = root.InnerException;
        }

        return root.Message.ReplaceLineEndings(" ").Trim();
    }
}
