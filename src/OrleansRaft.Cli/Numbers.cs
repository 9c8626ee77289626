using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace OrleansRaft.Cli;

/// <summary>Integer options and arguments that say what is wrong with a malformed or out-of-range number.</summary>
internal static class Numbers
{
    public static Option<long> Option(string name, string description, long min, string helpName = "N") => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result => Parse(result, name, min),
    };

    public static Argument<long> Argument(string name, string description, long min) => new(name)
    {
        Description = description,
        CustomParser = result => Parse(result, name, min),
    };

    private static long Parse(ArgumentResult result, string name, long min)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min)
        {
            return value;
        }

        result.AddError($"Bad {name} '{text}': expected an integer of at least {min.ToString(CultureInfo.InvariantCulture)}.");
        return default;
    }
}
