using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansRaft.Etcd.Json;
using OrleansRaft.Etcd.Services;

namespace OrleansRaft.Etcd.Hosting;

/// <summary>
/// Adds the etcd v3 gateway to an ASP.NET Core application that can reach the Orleans cluster (a silo, or a host
/// with an Orleans client): the gateway resolves <see cref="IGrainFactory"/> from the application's services.
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddOrleansRaftEtcd(o => o.GroupId = "kv");   // Kestrel: HTTP/2 cleartext on 127.0.0.1:2379
/// var app = builder.Build();
/// app.MapOrleansRaftEtcd();
/// </code>
/// </example>
public static class EtcdGatewayExtensions
{
    /// <summary>
    /// Registers the gateway's gRPC services and, unless <see cref="EtcdGatewayOptions.Endpoint"/> is null, a Kestrel
    /// endpoint for them (HTTP/2, cleartext or with <see cref="EtcdGatewayOptions.Tls"/>). Endpoints configured in code replace Kestrel's URL settings.
    /// </summary>
    public static IServiceCollection AddOrleansRaftEtcd(this IServiceCollection services, Action<EtcdGatewayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EtcdGatewayOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o =>
        {
            o.Validate();
            return true;
        });

        services.AddSingleton<EtcdGateway>();
        services.AddSingleton<EtcdErrorInterceptor>();
        services.AddGrpc();
        ConfigureService<KvService>(services);
        ConfigureService<WatchService>(services);
        ConfigureService<LeaseService>(services);
        ConfigureService<ClusterService>(services);
        ConfigureService<MaintenanceService>(services);
        ConfigureService<LockService>(services);
        ConfigureService<ElectionService>(services);
        ConfigureService<AuthService>(services);
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<EtcdGatewayOptions>>((kestrel, gateway) =>
        {
            if (gateway.Value.Endpoint is { } endpoint)
            {
                kestrel.Listen(endpoint, listen =>
                {
                    if (gateway.Value.Tls is { } tls)
                    {
                        // ALPN chooses HTTP/2 (gRPC) or HTTP/1.1 (the JSON gateway) on the one port, as etcd serves both.
                        listen.Protocols = HttpProtocols.Http1AndHttp2;
                        listen.UseOrleansRaftEtcdTls(tls);
                    }
                    else
                    {
                        // gRPC over HTTP/2 cleartext and the JSON gateway over HTTP/1.1 on one port, told apart by the HTTP/2 preface.
                        listen.UseOrleansRaftEtcdProtocols();
                    }
                });
            }
        });
        return services;
    }

    /// <summary>Maps the gateway's services: KV, Watch, Lease, Cluster, Maintenance and Auth of etcd's etcdserverpb package, Lock (v3lockpb) and Election (v3electionpb).</summary>
    public static IEndpointRouteBuilder MapOrleansRaftEtcd(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGrpcService<KvService>();
        endpoints.MapGrpcService<WatchService>();
        endpoints.MapGrpcService<LeaseService>();
        endpoints.MapGrpcService<ClusterService>();
        endpoints.MapGrpcService<MaintenanceService>();
        endpoints.MapGrpcService<LockService>();
        endpoints.MapGrpcService<ElectionService>();
        endpoints.MapGrpcService<AuthService>();
        EtcdJsonGateway.Map(endpoints);
        return endpoints;
    }

    /// <summary>Per service, so that other gRPC services of the host keep their own settings.</summary>
    private static void ConfigureService<T>(IServiceCollection services)
        where T : class =>
        services.AddOptions<GrpcServiceOptions<T>>().Configure<IOptions<EtcdGatewayOptions>>((grpc, gateway) =>
        {
            grpc.Interceptors.Add<EtcdErrorInterceptor>();
            grpc.MaxReceiveMessageSize = gateway.Value.MaxReceiveMessageBytes;
        });
}
