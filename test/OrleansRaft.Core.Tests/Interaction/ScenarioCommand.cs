using System.Globalization;

namespace OrleansRaft.Core.Tests.Interaction;

/// <summary>
/// One parsed command line: a name, positional arguments and <c>key=value</c> options, for example
/// <c>add-nodes 3 learners=4,5 prevote=false</c> or <c>tick 1 x10</c>.
/// </summary>
internal sealed class ScenarioCommand
{
    private readonly Dictionary<string, string> _options;
    private readonly HashSet<string> _usedOptions = [];

    private ScenarioCommand(string name, List<string> arguments, Dictionary<string, string> options)
    {
        Name = name;
        Arguments = arguments;
        _options = options;
    }

    public string Name { get; }

    public IReadOnlyList<string> Arguments { get; }

    public static ScenarioCommand Parse(string line)
    {
        var tokens = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var arguments = new List<string>();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in tokens.Skip(1))
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                options[token[..equals]] = token[(equals + 1)..];
            }
            else
            {
                arguments.Add(token);
            }
        }

        return new ScenarioCommand(tokens[0], arguments, options);
    }

    public ulong Id(int position) => ParseId(Argument(position));

    public string Argument(int position) =>
        position < Arguments.Count ? Arguments[position] : throw new FormatException($"`{Name}` needs at least {position + 1} argument(s).");

    public string? Option(string key)
    {
        _usedOptions.Add(key);
        return _options.GetValueOrDefault(key);
    }

    public bool BoolOption(string key, bool fallback) => Option(key) is { } value ? bool.Parse(value) : fallback;

    public int IntOption(string key, int fallback) => Option(key) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public ulong ULongOption(string key, ulong fallback) => Option(key) is { } value ? ulong.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>A comma-separated list of member ids, or none.</summary>
    public ulong[] IdsOption(string key) =>
        Option(key) is { Length: > 0 } value ? value.Split(',').Select(ParseId).ToArray() : [];

    /// <summary>Rejects options the command did not read, so that a misspelt option cannot pass silently.</summary>
    public void EnsureAllOptionsUsed()
    {
        var unknown = _options.Keys.Where(k => !_usedOptions.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new FormatException($"`{Name}` does not take the option(s) {string.Join(", ", unknown)}.");
        }
    }

    public static ulong ParseId(string text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
            ? id
            : throw new FormatException($"`{text}` is not a member id.");
}
