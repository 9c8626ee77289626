using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Cli.Transport;

/// <summary>
/// Key-value calls through the cluster's etcd gateways (<see cref="Transports"/> decides when), tried in the order
/// <c>cluster.json</c> lists them. A call gives a plain answer or none: null means "ask the Orleans client instead",
/// which then says what went wrong in the CLI's usual words (a missing group, a compacted revision, a store refusal,
/// an unreachable cluster). Only two outcomes are final here: a Ctrl-C, and the command's whole timeout spent.
/// </summary>
internal sealed class EtcdKv : IDisposable
{
    /// <summary>The gateway's metadata header that chooses the key-value group (<c>src/OrleansRaft.Etcd</c>).</summary>
    public const string GroupHeader = "orleansraft-group";

    private readonly IReadOnlyList<Uri> _endpoints;
    private readonly Metadata _headers;
    private readonly TimeSpan _timeout;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private GrpcChannel? _channel;
    private int _current;

    public EtcdKv(IReadOnlyList<Uri> endpoints, string group, TimeSpan timeout)
    {
        _endpoints = endpoints;
        _headers = new Metadata { { GroupHeader, group } };
        _timeout = timeout;
    }

    public Task<RangeResponse?> RangeAsync(RangeRequest request, CancellationToken cancellationToken) =>
        CallAsync((kv, options) => kv.RangeAsync(request, options).ResponseAsync, cancellationToken);

    public void Dispose() => _channel?.Dispose();

    private async Task<T?> CallAsync<T>(Func<KV.KVClient, CallOptions, Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        for (; _current < _endpoints.Count; _current++)
        {
            var left = _timeout - _clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException();
            }

            _channel ??= Open(_endpoints[_current]);
            try
            {
                var options = new CallOptions(_headers, DateTime.UtcNow + left, cancellationToken);
                var answer = await call(new KV.KVClient(_channel), options);
                Timings.Mark($"etcd gateway {_endpoints[_current].Authority} answered");
                return answer;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.DeadlineExceeded)
            {
                throw new TimeoutException();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                // No connection to this gateway (its silo is down), or it could not reach the group's members in its
                // time: the next one serves the same group, as etcd's clients move on to the next endpoint.
                Timings.Mark($"etcd gateway {_endpoints[_current].Authority} unavailable: {e.Status.Detail}");
                _channel.Dispose();
                _channel = null;
            }
            catch (RpcException e)
            {
                Timings.Mark($"etcd gateway {_endpoints[_current].Authority} answered {e.StatusCode}: {e.Status.Detail}");
                return null;
            }
        }

        return null;
    }

    private static GrpcChannel Open(Uri endpoint) => GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
    {
        // One connection, to one gateway at a time; a refused connection moves on to the next gateway at once.
        HttpHandler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2), EnableMultipleHttp2Connections = false },
        DisposeHttpClient = true,
        ThrowOperationCanceledOnCancellation = true,
    });
}
