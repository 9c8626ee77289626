using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansRaft.Host.Launcher;

/// <summary>
/// <c>{data-dir}/cluster.json</c>: how clients reach the local cluster. The CLI reads it by default, so the names
/// are a contract. It holds no secret: <see cref="Tls"/> names the client's key file, which only its owner can read.
/// </summary>
internal sealed record ClusterFile(
    [property: JsonPropertyName("gateways")] string[] Gateways,
    [property: JsonPropertyName("statusUrls")] string[] StatusUrls,
    [property: JsonPropertyName("clusterId")] string ClusterId,
    [property: JsonPropertyName("serviceId")] string ServiceId,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("etcdEndpoints")] string[] EtcdEndpoints)
{
    /// <summary>What a client needs for the gateways' mutual TLS, in the shape of <see cref="Security.RaftTlsOptions"/>; null when the cluster runs with --insecure.</summary>
    [JsonPropertyName("tls")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ClusterFileTls? Tls { get; init; }

    public const string FileName = "cluster.json";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>Writes the file whole: a reader sees the old file or the new one, never half of one.</summary>
    public void Write(string dataDir)
    {
        var path = Path.Combine(dataDir, FileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Options));
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>The <c>tls</c> object of <see cref="ClusterFile"/>: the client certificate, its key and the cluster's authority.</summary>
internal sealed record ClusterFileTls(
    [property: JsonPropertyName("certificatePath")] string CertificatePath,
    [property: JsonPropertyName("keyPath")] string KeyPath,
    [property: JsonPropertyName("trustedCaPaths")] string[] TrustedCaPaths);
