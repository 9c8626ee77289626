using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansRaft.Etcd.Services;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Json;

/// <summary>
/// etcd 3.4's JSON gateway (its grpc-gateway): <c>POST /v3/...</c> with a JSON body, answered by the same services as
/// gRPC, on the same port. A refusal answers the gRPC status's HTTP equivalent with
/// <c>{"error": message, "message": message, "code": gRPC code}</c>; on a stream, as <c>{"error": {...}}</c> on its
/// line.
/// </summary>
internal static class EtcdJsonGateway
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        Unary<KvService, Proto.RangeRequest, Proto.RangeResponse>(endpoints, "/v3/kv/range", (s, r, c) => s.Range(r, c));
        Unary<KvService, Proto.PutRequest, Proto.PutResponse>(endpoints, "/v3/kv/put", (s, r, c) => s.Put(r, c));
        Unary<KvService, Proto.DeleteRangeRequest, Proto.DeleteRangeResponse>(endpoints, "/v3/kv/deleterange", (s, r, c) => s.DeleteRange(r, c));
        Unary<KvService, Proto.TxnRequest, Proto.TxnResponse>(endpoints, "/v3/kv/txn", (s, r, c) => s.Txn(r, c));
        Unary<KvService, Proto.CompactionRequest, Proto.CompactionResponse>(endpoints, "/v3/kv/compaction", (s, r, c) => s.Compact(r, c));
        Unary<LeaseService, Proto.LeaseGrantRequest, Proto.LeaseGrantResponse>(endpoints, "/v3/lease/grant", (s, r, c) => s.LeaseGrant(r, c));
        foreach (var path in new[] { "/v3/lease/revoke", "/v3/kv/lease/revoke" })
        {
            Unary<LeaseService, Proto.LeaseRevokeRequest, Proto.LeaseRevokeResponse>(endpoints, path, (s, r, c) => s.LeaseRevoke(r, c));
        }

        foreach (var path in new[] { "/v3/lease/timetolive", "/v3/kv/lease/timetolive" })
        {
            Unary<LeaseService, Proto.LeaseTimeToLiveRequest, Proto.LeaseTimeToLiveResponse>(endpoints, path, (s, r, c) => s.LeaseTimeToLive(r, c));
        }

        foreach (var path in new[] { "/v3/lease/leases", "/v3/kv/lease/leases" })
        {
            Unary<LeaseService, Proto.LeaseLeasesRequest, Proto.LeaseLeasesResponse>(endpoints, path, (s, r, c) => s.LeaseLeases(r, c));
        }

        Unary<MaintenanceService, Proto.StatusRequest, Proto.StatusResponse>(endpoints, "/v3/maintenance/status", (s, r, c) => s.Status(r, c));
        Unary<MaintenanceService, Proto.AlarmRequest, Proto.AlarmResponse>(endpoints, "/v3/maintenance/alarm", (s, r, c) => s.Alarm(r, c));
        Unary<MaintenanceService, Proto.DefragmentRequest, Proto.DefragmentResponse>(endpoints, "/v3/maintenance/defragment", (s, r, c) => s.Defragment(r, c));
        Unary<MaintenanceService, Proto.MoveLeaderRequest, Proto.MoveLeaderResponse>(endpoints, "/v3/maintenance/transfer-leadership", (s, r, c) => s.MoveLeader(r, c));
        Unary<ClusterService, Proto.MemberListRequest, Proto.MemberListResponse>(endpoints, "/v3/cluster/member/list", (s, r, c) => s.MemberList(r, c));
        Duplex<WatchService, Proto.WatchRequest, Proto.WatchResponse>(endpoints, "/v3/watch", (s, r, w, c) => s.Watch(r, w, c));
        Duplex<LeaseService, Proto.LeaseKeepAliveRequest, Proto.LeaseKeepAliveResponse>(endpoints, "/v3/lease/keepalive", (s, r, w, c) => s.LeaseKeepAlive(r, w, c));
    }

    private static void Unary<TService, TRequest, TResponse>(
        IEndpointRouteBuilder endpoints, string path, Func<TService, TRequest, ServerCallContext, Task<TResponse>> method)
        where TService : class
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>
    {
        endpoints.MapPost(path, async (HttpContext http) =>
        {
            var context = new JsonCallContext(http, path);
            try
            {
                using var body = new StreamReader(http.Request.Body);
                var request = JsonMessages.Parse<TRequest>(await body.ReadToEndAsync(http.RequestAborted));
                var response = await method(ActivatorUtilities.CreateInstance<TService>(http.RequestServices), request, context);
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(JsonMessages.Format(response), http.RequestAborted);
            }
            catch (Exception e) when (Status(e, http, path) is { } status)
            {
                http.Response.StatusCode = HttpStatus(status.StatusCode);
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync(ErrorBody(status), http.RequestAborted);
            }
        });
    }

    private static void Duplex<TService, TRequest, TResponse>(
        IEndpointRouteBuilder endpoints, string path,
        Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> method)
        where TService : class
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>
    {
        endpoints.MapPost(path, async (HttpContext http) =>
        {
            var context = new JsonCallContext(http, path);
            http.Response.ContentType = "application/json";
            try
            {
                await method(ActivatorUtilities.CreateInstance<TService>(http.RequestServices), new JsonMessages.Reader<TRequest>(http.Request), new JsonMessages.Writer<TResponse>(http.Response), context);
            }
            catch (Exception e) when (Status(e, http, path) is { } status && !http.RequestAborted.IsCancellationRequested)
            {
                if (!http.Response.HasStarted)
                {
                    http.Response.StatusCode = HttpStatus(status.StatusCode);
                }

                await http.Response.WriteAsync($"{{\"error\":{ErrorBody(status)}}}\n", http.RequestAborted);
            }
        });
    }

    /// <summary>The gRPC status a handler's exception answers, as the gRPC services' interceptor gives it.</summary>
    private static Status? Status(Exception exception, HttpContext http, string path)
    {
        var logger = http.RequestServices.GetRequiredService<ILogger<EtcdErrorInterceptor>>();
        return EtcdErrorInterceptor.ToStatus(exception, path, http.RequestAborted, logger).Status;
    }

    private static string ErrorBody(Status status)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("error", status.Detail);
            json.WriteString("message", status.Detail);
            json.WriteNumber("code", (int)status.StatusCode);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>grpc-gateway's HTTP status for a gRPC status code.</summary>
    private static int HttpStatus(StatusCode code) => code switch
    {
        StatusCode.OK => StatusCodes.Status200OK,
        StatusCode.Cancelled => StatusCodes.Status408RequestTimeout,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
