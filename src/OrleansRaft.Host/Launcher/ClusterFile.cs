using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansRaft.Host.Launcher;

/// <summary>
/// <c>{data-dir}/cluster.json</c>: how clients reach the local cluster. The CLI reads it by default, so the names
/// are a contract. It holds no secret.
/// </summary>
internal sealed record ClusterFile(
    [property: JsonPropertyName("gateways")] string[] Gateways,
    [property: JsonPropertyName("statusUrls")] string[] StatusUrls,
    [property: JsonPropertyName("clusterId")] string ClusterId,
    [property: JsonPropertyName("serviceId")] string ServiceId,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("etcdEndpoints")] string[] EtcdEndpoints)
{
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
