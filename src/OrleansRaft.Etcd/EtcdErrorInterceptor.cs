using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using OrleansRaft.Etcd.Diagnostics;

namespace OrleansRaft.Etcd;

/// <summary>Turns the exceptions of the gateway's handlers into etcd's gRPC statuses (see <see cref="EtcdErrors"/>).</summary>
internal sealed class EtcdErrorInterceptor(ILogger<EtcdErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    private RpcException? Translate(Exception exception, ServerCallContext context) =>
        exception is RpcException ? null : ToStatus(exception, context.Method, context.CancellationToken, logger);

    /// <summary>
    /// The status a handler's exception answers: its own, or etcd's (see <see cref="EtcdErrors.From"/>); one the gateway
    /// does not know is logged and answers <c>Internal</c> without its details.
    /// </summary>
    internal static RpcException ToStatus(Exception exception, string method, CancellationToken callCancelled, ILogger logger)
    {
        var status = EtcdErrors.From(exception, callCancelled);
        if (status is null)
        {
            EtcdLogMessages.CallFailed(logger, method, exception);
            return new RpcException(new Status(StatusCode.Internal, EtcdErrors.InternalError));
        }

        return status;
    }
}
