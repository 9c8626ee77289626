namespace OrleansRaft.Linearizability;

internal static class KvText
{
    /// <summary>A value in quotes, or <c>absent</c> for null.</summary>
    public static string Quote(string? value) => value is null ? "absent" : $"\"{value}\"";
}
