using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Cli;

/// <summary>
/// What a command prints: plain lines in the spirit of etcdctl (one key or value per line, easy to read in a
/// script), or one compact JSON document per answer with <c>--json</c>. Keys and values are UTF-8 text.
/// </summary>
internal sealed class CliOutput(bool json, TextWriter writer)
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public bool IsJson { get; } = json;

    public void Line(string text) => writer.WriteLine(text);

    public void Json(JsonNode node) => writer.WriteLine(node.ToJsonString(Compact));

    /// <summary>A key-value as etcdctl prints it: the key on one line, the value on the next.</summary>
    public void KeyValue(KeyValueEntry kv, bool keysOnly = false, bool valueOnly = false)
    {
        if (!valueOnly)
        {
            Line(Text(kv.Key));
        }

        if (!keysOnly)
        {
            Line(Text(kv.Value));
        }
    }

    public static string Text(ReadOnlyMemory<byte> bytes) => KvBytes.ToText(bytes);

    public static JsonObject Entry(KeyValueEntry kv, bool keysOnly = false)
    {
        var node = new JsonObject { ["key"] = Text(kv.Key) };
        if (!keysOnly)
        {
            node["value"] = Text(kv.Value);
        }

        node["createRevision"] = kv.CreateRevision;
        node["modRevision"] = kv.ModRevision;
        node["version"] = kv.Version;
        node["lease"] = kv.Lease;
        return node;
    }

    public static JsonArray Entries(IEnumerable<KeyValueEntry> kvs, bool keysOnly = false) => [.. kvs.Select(kv => (JsonNode)Entry(kv, keysOnly))];
}
