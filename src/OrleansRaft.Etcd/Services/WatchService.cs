using Grpc.Core;
using Microsoft.Extensions.Logging;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

/// <summary>etcd's Watch service: one <see cref="WatchStream"/> per call, multiplexing the call's watches.</summary>
internal sealed class WatchService(EtcdGateway gateway, ILogger<WatchService> logger) : Proto.Watch.WatchBase
{
    public override async Task Watch(
        IAsyncStreamReader<Proto.WatchRequest> requestStream, IServerStreamWriter<Proto.WatchResponse> responseStream, ServerCallContext context)
    {
        // Every watch of the call is served by the group the call named.
        var group = await gateway.GroupAsync(context);
        await using var stream = new WatchStream(group, gateway.CallerOf(context, group), responseStream, logger, context.CancellationToken);
        await stream.RunAsync(requestStream);
    }
}
