namespace OrleansRaft.Core.Tests.Interaction;

/// <summary>
/// A scenario script: comment and blank lines kept verbatim, and commands each followed by a separator line
/// and the expected trace. A trace runs until the next blank line or the end of the file, so traces never
/// contain blank lines (an empty trace is written as <c>ok</c>).
/// </summary>
internal sealed class ScenarioFile
{
    public const string Separator = "----";

    private ScenarioFile(IReadOnlyList<Item> items) => Items = items;

    /// <summary>A verbatim line (comment or blank), or a command with its expected trace.</summary>
    public abstract record Item;

    public sealed record Verbatim(string Text) : Item;

    /// <summary>A command; <paramref name="LineNumber"/> is its 1-based line in the file.</summary>
    public sealed record Block(string Command, int LineNumber, IReadOnlyList<string> Expected) : Item;

    public IReadOnlyList<Item> Items { get; }

    public IEnumerable<Block> Blocks => Items.OfType<Block>();

    public static ScenarioFile Parse(string text, string name)
    {
        var lines = Lines(text);
        var items = new List<Item>();
        var i = 0;
        while (i < lines.Count)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                items.Add(new Verbatim(line));
                i++;
                continue;
            }

            if (i + 1 >= lines.Count || lines[i + 1] != Separator)
            {
                throw new FormatException($"{name}:{i + 1}: the command `{line}` must be followed by a `{Separator}` line.");
            }

            var expected = new List<string>();
            var j = i + 2;
            while (j < lines.Count && lines[j].Length > 0)
            {
                expected.Add(lines[j]);
                j++;
            }

            items.Add(new Block(line, i + 1, expected));
            i = j;
        }

        return new ScenarioFile(items);
    }

    /// <summary>The file text with every block's trace replaced by <paramref name="traces"/> (in block order).</summary>
    public string Render(IReadOnlyList<IReadOnlyList<string>> traces)
    {
        var output = new List<string>();
        var next = 0;
        for (var k = 0; k < Items.Count; k++)
        {
            switch (Items[k])
            {
                case Verbatim verbatim:
                    output.Add(verbatim.Text);
                    break;
                case Block block:
                    output.Add(block.Command);
                    output.Add(Separator);
                    var trace = traces[next++];
                    output.AddRange(trace.Count == 0 ? ["ok"] : trace);

                    // A trace ends at a blank line: keep one between it and whatever follows.
                    if (k + 1 < Items.Count && Items[k + 1] is not Verbatim { Text.Length: 0 })
                    {
                        output.Add("");
                    }

                    break;
            }
        }

        return string.Join('\n', output) + "\n";
    }

    /// <summary>The lines of <paramref name="text"/>, with line endings normalised and no trailing empty line.</summary>
    public static List<string> Lines(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }
}
