using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace OrleansRaft.Etcd.Json;

/// <summary>
/// The call context of a request to the JSON gateway, so that the gRPC services serve it unchanged: its metadata are
/// the request's <c>Grpc-Metadata-</c> headers (prefix removed, as etcd's grpc-gateway forwards them) and the
/// <see cref="EtcdGroupHeader.Name"/> header itself; its cancellation is the HTTP request's.
/// </summary>
internal sealed class JsonCallContext : ServerCallContext
{
    private const string MetadataPrefix = "Grpc-Metadata-";

    /// <summary>Where Grpc.AspNetCore's <c>GetHttpContext</c> finds the request of a context it did not make.</summary>
    private const string HttpContextKey = "__HttpContext";

    private readonly HttpContext _http;
    private readonly Metadata _headers = [];
    private readonly string _method;

    public JsonCallContext(HttpContext http, string method)
    {
        _http = http;
        _method = method;
        foreach (var (name, values) in http.Request.Headers)
        {
            var key = name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase) ? name[MetadataPrefix.Length..]
                : string.Equals(name, EtcdGroupHeader.Name, StringComparison.OrdinalIgnoreCase) ? name
                : null;
            if (key is not null)
            {
                foreach (var value in values)
                {
                    _headers.Add(key.ToLowerInvariant(), value ?? "");
                }
            }
        }

        UserState[HttpContextKey] = http;
    }

    protected override string MethodCore => _method;

    protected override string HostCore => _http.Request.Host.Value ?? "";

    protected override string PeerCore => $"ipv4:{_http.Connection.RemoteIpAddress}:{_http.Connection.RemotePort}";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore => _headers;

    protected override CancellationToken CancellationTokenCore => _http.RequestAborted;

    protected override Metadata ResponseTrailersCore { get; } = [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new InvalidOperationException("A JSON gateway call has no gRPC context to propagate.");

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
