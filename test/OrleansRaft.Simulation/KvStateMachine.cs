using System.Text;

namespace OrleansRaft.Simulation;

/// <summary>
/// The client workload's state machine: a register per key, with put, get and compare-and-set.
/// Commands travel in the log as "P|key|value" and "C|key|expected|new" (expected may be "-" for absent).
/// </summary>
internal sealed class KvStateMachine
{
    private readonly SortedDictionary<string, string> _values = new(StringComparer.Ordinal);

    public ulong AppliedIndex { get; set; }

    public string? Get(string key) => _values.GetValueOrDefault(key);

    /// <summary>Applies one command and returns its result: "ok" for a put, "true" or "false" for a compare-and-set.</summary>
    public string Apply(ReadOnlySpan<byte> command)
    {
        var parts = Encoding.UTF8.GetString(command).Split('|');
        switch (parts[0])
        {
            case "P":
                _values[parts[1]] = parts[2];
                return "ok";
            case "C":
                var current = _values.GetValueOrDefault(parts[1]);
                var expected = parts[2] == "-" ? null : parts[2];
                if (current == expected)
                {
                    _values[parts[1]] = parts[3];
                    return "true";
                }

                return "false";
            default:
                throw new InvalidOperationException($"Unknown command '{parts[0]}'.");
        }
    }

    public byte[] Snapshot() =>
        Encoding.UTF8.GetBytes(string.Join('\n', _values.Select(kv => $"{kv.Key}={kv.Value}")));

    public void Restore(ReadOnlySpan<byte> snapshot, ulong index)
    {
        _values.Clear();
        foreach (var line in Encoding.UTF8.GetString(snapshot).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var split = line.IndexOf('=');
            _values[line[..split]] = line[(split + 1)..];
        }

        AppliedIndex = index;
    }
}
