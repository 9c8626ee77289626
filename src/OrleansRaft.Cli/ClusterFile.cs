using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansRaft.Cli;

/// <summary>
/// <c>{data-dir}/cluster.json</c>, written by the local cluster's launcher: where its gateways listen and which
/// cluster, service and key-value group they serve. Fields left out take the CLI's defaults.
/// </summary>
internal sealed record ClusterFile
{
    public const string FileName = "cluster.json";

    [JsonPropertyName("gateways")]
    public string[]? Gateways { get; init; }

    [JsonPropertyName("statusUrls")]
    public string[]? StatusUrls { get; init; }

    [JsonPropertyName("clusterId")]
    public string? ClusterId { get; init; }

    [JsonPropertyName("serviceId")]
    public string? ServiceId { get; init; }

    [JsonPropertyName("group")]
    public string? Group { get; init; }

    /// <summary>The client certificate, its key and the cluster's authorities; absent when the cluster's links are cleartext.</summary>
    [JsonPropertyName("tls")]
    public ClusterFileTls? Tls { get; init; }

    /// <summary>Each silo's etcd gateway, <c>host:port</c>: the fast way for key-value commands (see <see cref="Transport.Transports"/>).</summary>
    [JsonPropertyName("etcdEndpoints")]
    public string[]? EtcdEndpoints { get; init; }

    /// <summary>The file in <paramref name="dataDir"/>, or null when there is none.</summary>
    public static ClusterFile? TryRead(string dataDir, out string path)
    {
        path = Path.GetFullPath(Path.Combine(dataDir, FileName));
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ClusterFile>(File.ReadAllText(path), new JsonSerializerOptions { ReadCommentHandling = JsonCommentHandling.Skip })
                ?? throw new JsonException("the file holds null");
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Unreachable, $"Cannot read {path}: {e.Message}");
        }
    }
}

/// <summary>The <c>tls</c> object of <see cref="ClusterFile"/>, in the shape of <see cref="Security.RaftTlsOptions"/>.</summary>
internal sealed record ClusterFileTls
{
    [JsonPropertyName("certificatePath")]
    public string? CertificatePath { get; init; }

    [JsonPropertyName("keyPath")]
    public string? KeyPath { get; init; }

    [JsonPropertyName("trustedCaPaths")]
    public string[]? TrustedCaPaths { get; init; }
}
