using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrleansRaft.Abstractions;
using OrleansRaft.Host.Silo;
using OrleansRaft.Hosting.Groups;
using OrleansRaft.Hosting.Members;

namespace OrleansRaft.Host.Status;

/// <summary>
/// The operator's view: <c>/</c> is a page that polls <c>/status.json</c> every second and draws one page of groups
/// with every member; <c>/status.json?after=ID&amp;limit=N</c> asks the group directory for the status of the groups on
/// that page only (at most <see cref="IRaftDirectoryGrain.MaxPageSize"/>, <see cref="DefaultLimit"/> by default), so
/// that a request costs the same with 10,000 groups as with 100; <c>/leaders.json</c> lists the members that lead on
/// this silo (see <see cref="LeadersReport"/>).
/// </summary>
internal static class StatusEndpoints
{
    /// <summary>How long one status request may take; a group's members are each asked within a shorter bound.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public const int DefaultLimit = 100;

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(StatusEndpoints).Assembly.GetManifestResourceStream("OrleansRaft.Host.status.html")
            ?? throw new InvalidOperationException("The status page is missing from the assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    });

    public static void Map(WebApplication app, string? siloName)
    {
        app.MapGet("/", () => Results.Bytes(Page.Value, "text/html; charset=utf-8"));

        // This silo's leaders, from its own list of members: no grain call, so a monitor can poll it every few
        // milliseconds to see leadership move, whatever the number of groups.
        app.MapGet("/leaders.json", (IRaftLocalLeaders local, ILocalSiloDetails silo, HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            return Results.Json(new LeadersReport(silo.SiloAddress.ToString(), Environment.ProcessId, DateTimeOffset.UtcNow, local.Count, local.Leaders()));
        });
        app.MapGet("/status.json", async (IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails local, RaftGroupStartup startup, ClusterSettings cluster, HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            if (!TryReadPage(http.Request.Query, out var after, out var limit, out var problem))
            {
                return Results.BadRequest(new { error = problem });
            }

            var group = http.Request.Query["group"].ToString();
            return Results.Json(await ReportAsync(grains, membership, local, startup, cluster, siloName, after, limit, group.Length > 0 ? group : null));
        });
    }

    /// <summary>Reads <c>after</c> (an id, empty for the first page) and <c>limit</c> (1 to the directory's maximum).</summary>
    private static bool TryReadPage(IQueryCollection query, out string? after, out int limit, out string? problem)
    {
        after = query["after"].ToString() is { Length: > 0 } a ? a : null;
        limit = DefaultLimit;
        problem = null;
        if (query["limit"].ToString() is { Length: > 0 } text
            && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit)
                || limit is < 1 or > IRaftDirectoryGrain.MaxPageSize))
        {
            problem = $"limit must be an integer from 1 to {IRaftDirectoryGrain.MaxPageSize}.";
            return false;
        }

        return true;
    }

    private static async Task<StatusReport> ReportAsync(
        IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails local, RaftGroupStartup startup, ClusterSettings cluster, string? siloName,
        string? after, int limit, string? group)
    {
        var silos = membership.CurrentSnapshot.Members.Values
            .OrderBy(m => m.SiloAddress.ToString(), StringComparer.Ordinal)
            .Select(m => new SiloReport(m.SiloAddress.ToString(), m.Name, m.Status.ToString()))
            .ToArray();
        var self = string.IsNullOrWhiteSpace(siloName) ? local.Name : siloName;
        if (!startup.SilosReady.IsCompleted)
        {
            var active = silos.Count(s => s.Status == nameof(SiloStatus.Active));
            return new StatusReport(self, DateTimeOffset.UtcNow, silos, [], null, $"waiting for the cluster: {active} of {cluster.ExpectedSilos} silos active");
        }

        try
        {
            if (group is not null)
            {
                // One group's page: its own status only, whatever the number of groups.
                var one = await grains.GetGrain<IRaftGroupGrain>(group).GetStatusAsync().WaitAsync(Timeout);
                return one is null
                    ? new StatusReport(self, DateTimeOffset.UtcNow, silos, [], null, $"there is no group '{group}'")
                    : new StatusReport(self, DateTimeOffset.UtcNow, silos, [GroupReport.From(one)], null, null);
            }

            var status = await grains.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key).GetStatusAsync(after, limit).WaitAsync(Timeout);
            var reports = status.Groups.Select(GroupReport.From).ToArray();
            var page = status.Page;
            return new StatusReport(self, DateTimeOffset.UtcNow, silos, reports, new PageReport(page.Offset, page.Groups.Length, page.Total, limit, page.Next, page.Previous), null);
        }
        catch (Exception exception) when (exception is TimeoutException or OrleansException or InvalidOperationException or ArgumentException)
        {
            return new StatusReport(self, DateTimeOffset.UtcNow, silos, [], null, exception.Message);
        }
    }
}
