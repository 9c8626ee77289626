using Grpc.Core;

namespace OrleansRaft.Etcd;

/// <summary>
/// The gRPC metadata header with which an etcd client chooses the key-value group a request is served from:
/// <c>orleansraft-group: tenant-7</c>. Without it, the gateway's <see cref="Hosting.EtcdGatewayOptions.GroupId"/>
/// serves the request. A Watch or LeaseKeepAlive stream is served by one group, the one its call named.
/// </summary>
public static class EtcdGroupHeader
{
    /// <summary>The header's name (gRPC metadata keys are lower case).</summary>
    public const string Name = "orleansraft-group";

    /// <summary>
    /// The longest group id accepted: a member's log rows are keyed by group id, member id and segment, and those
    /// keys must fit the storage table's 512-character key column.
    /// </summary>
    public const int MaxLength = 256;

    /// <summary>
    /// The group that <paramref name="headers"/> name, or null when they name none. Throws <see cref="RpcException"/>
    /// with <c>InvalidArgument</c> when the header is given twice, holds a comma, or names no valid group.
    /// (A key without the <c>-bin</c> suffix is always text in gRPC.)
    /// </summary>
    public static string? From(Metadata headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        string? chosen = null;
        foreach (var entry in headers)
        {
            if (!string.Equals(entry.Key, Name, StringComparison.Ordinal))
            {
                continue;
            }

            if (chosen is not null && !string.Equals(chosen, entry.Value, StringComparison.Ordinal))
            {
                throw EtcdErrors.InvalidArgument($"the {Name} header names two groups ('{Show(chosen)}' and '{Show(entry.Value)}').");
            }

            chosen = entry.Value;
        }

        // HTTP joins the values of a header sent twice with commas, so a comma cannot be told from two groups.
        if (chosen is not null && chosen.Contains(',', StringComparison.Ordinal))
        {
            throw EtcdErrors.InvalidArgument($"the {Name} header names more than one group ('{Show(chosen)}'); a group chosen by header holds no comma.");
        }

        if (chosen is not null && Invalid(chosen) is { } reason)
        {
            throw EtcdErrors.InvalidArgument($"{Name}: {reason}");
        }

        return chosen;
    }

    /// <summary>Why <paramref name="groupId"/> is not a group id the gateway serves, or null when it is one.</summary>
    public static string? Invalid(string? groupId)
    {
        if (string.IsNullOrWhiteSpace(groupId))
        {
            return "a group id must not be empty.";
        }

        if (groupId.Length > MaxLength)
        {
            return $"'{Show(groupId)}' is not a valid group id: it is longer than {MaxLength} characters.";
        }

        if (char.IsWhiteSpace(groupId[0]) || char.IsWhiteSpace(groupId[^1]))
        {
            return $"'{Show(groupId)}' is not a valid group id: it starts or ends with white space.";
        }

        foreach (var c in groupId)
        {
            if (char.IsControl(c))
            {
                return $"'{Show(groupId)}' is not a valid group id: it holds a control character.";
            }
        }

        return null;
    }

    /// <summary>A group id as an error message quotes it: printable, and short.</summary>
    private static string Show(string groupId)
    {
        var printable = new string([.. groupId.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return groupId.Length > 64 ? printable + "..." : printable;
    }
}
