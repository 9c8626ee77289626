using dotnet_etcd;
using Grpc.Core;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary>The dotnet-etcd client, connected to the gateway over HTTP/2 cleartext.</summary>
public static class EtcdClients
{
    public static EtcdClient Connect(EtcdGatewayCluster fixture) =>
        new(fixture.Endpoint, configureChannelOptions: options => options.Credentials = ChannelCredentials.Insecure);

    /// <summary>Call options with a deadline, so that no call of a test can hang.</summary>
    public static DateTime Deadline() => DateTime.UtcNow.AddSeconds(15);
}
