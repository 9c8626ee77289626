using System.Text;

namespace OrleansRaft.Core.Tests.Interaction;

/// <summary>A line diff (longest common subsequence) printed as hunks with the expected file's line numbers.</summary>
internal static class TraceDiff
{
    private const int Context = 3;

    /// <summary>The hunks that turn <paramref name="expected"/> into <paramref name="actual"/>; empty when they are equal.</summary>
    public static string Describe(IReadOnlyList<string> expected, IReadOnlyList<string> actual, string name)
    {
        var edits = Edits(expected, actual);
        if (edits.All(e => e.Kind == ' '))
        {
            return "";
        }

        var text = new StringBuilder();
        var firstChange = edits.FindIndex(e => e.Kind != ' ');
        text.AppendLine($"{name}:{edits[firstChange].ExpectedLine}: the trace differs from the expected one (- expected, + actual).");
        var shown = new bool[edits.Count];
        for (var i = 0; i < edits.Count; i++)
        {
            if (edits[i].Kind == ' ')
            {
                continue;
            }

            for (var k = Math.Max(0, i - Context); k <= Math.Min(edits.Count - 1, i + Context); k++)
            {
                shown[k] = true;
            }
        }

        for (var i = 0; i < edits.Count; i++)
        {
            if (!shown[i])
            {
                continue;
            }

            if (i == 0 || !shown[i - 1])
            {
                text.AppendLine($"@@ line {edits[i].ExpectedLine} @@");
            }

            text.AppendLine($"{edits[i].Kind} {edits[i].Text}");
        }

        return text.ToString();
    }

    /// <summary>One diff line: ' ' kept, '-' only expected, '+' only actual; <see cref="ExpectedLine"/> is 1-based.</summary>
    private readonly record struct Edit(char Kind, string Text, int ExpectedLine);

    private static List<Edit> Edits(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        // lcs[i, j] is the length of the longest common subsequence of a[i..] and b[j..].
        var lcs = new int[a.Count + 1, b.Count + 1];
        for (var i = a.Count - 1; i >= 0; i--)
        {
            for (var j = b.Count - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var edits = new List<Edit>();
        int x = 0, y = 0;
        while (x < a.Count || y < b.Count)
        {
            if (x < a.Count && y < b.Count && a[x] == b[y])
            {
                edits.Add(new Edit(' ', a[x], x + 1));
                x++;
                y++;
            }
            else if (x < a.Count && (y == b.Count || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                edits.Add(new Edit('-', a[x], x + 1));
                x++;
            }
            else
            {
                edits.Add(new Edit('+', b[y], x + 1));
                y++;
            }
        }

        return edits;
    }
}
