using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansRaft.Host.Tests.Infrastructure;

/// <summary>Reads a silo's <c>/status.json</c>.</summary>
internal static class StatusReader
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static async Task<StatusJson> ReadAsync(string statusUrl, string query = "") =>
        await Http.GetFromJsonAsync<StatusJson>(new Uri(new Uri(statusUrl), "status.json" + query), Options)
        ?? throw new InvalidOperationException($"{statusUrl}status.json{query} answered null.");

    /// <summary>A silo's <c>/leaders.json</c>: the members that lead on it.</summary>
    public static async Task<LeadersJson> LeadersAsync(string statusUrl) =>
        await Http.GetFromJsonAsync<LeadersJson>(new Uri(new Uri(statusUrl), "leaders.json"), Options)
        ?? throw new InvalidOperationException($"{statusUrl}leaders.json answered null.");

    /// <summary>The HTTP status of <c>/status.json</c> with <paramref name="query"/>, for requests it must refuse.</summary>
    public static async Task<System.Net.HttpStatusCode> StatusCodeAsync(string statusUrl, string query)
    {
        using var response = await Http.GetAsync(new Uri(new Uri(statusUrl), "status.json" + query));
        return response.StatusCode;
    }

    /// <summary>The group once a member reports itself its leader, read from <paramref name="statusUrl"/>.</summary>
    public static Task<GroupJson> LeaderAsync(string statusUrl, string group, Func<GroupJson, bool>? also = null, TimeSpan? bound = null) =>
        Wait.ForAsync(
            async () =>
            {
                var status = await ReadAsync(statusUrl);
                var g = status.Groups.SingleOrDefault(x => x.Id == group);
                return g is not null && g.Leader != 0 && g.Members.Any(m => m.Id == g.Leader && m.Role == "leader") && (also?.Invoke(g) ?? true) ? g : null;
            },
            bound ?? TimeSpan.FromSeconds(60),
            $"a leader of group {group} on {statusUrl}");
}

internal sealed record StatusJson(string Silo, SiloJson[] Silos, GroupJson[] Groups, PageJson? Page, string? Error);

internal sealed record LeadersJson(string Silo, int Pid, DateTimeOffset Time, int Members, string[] Leaders);

internal sealed record PageJson(int Offset, int Count, int Total, int Limit, string? Next, string? Previous);

internal sealed record SiloJson(string Address, string Name, string Status);

internal sealed record GroupJson(string Id, string StateMachine, ulong Leader, ulong Term, MemberJson[] Members)
{
    public MemberJson LeaderMember => Members.Single(m => m.Id == Leader);
}

internal sealed record MemberJson(ulong Id, string? Silo, string? Role, ulong? Term, ulong? Commit, ulong? Applied, ulong Lag, bool? Quiet, string? Error);
