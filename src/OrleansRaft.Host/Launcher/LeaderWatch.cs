using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansRaft.Host.Launcher;

/// <summary>Polls the silos' <c>/status.json</c> until a group has a leader that says it leads.</summary>
internal static class LeaderWatch
{
    public sealed record Leader(ulong Member, ulong Term, string Silo);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public static async Task<Leader?> WaitAsync(string[] statusUrls, string group, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        try
        {
            while (true)
            {
                foreach (var url in statusUrls)
                {
                    if (await TryReadAsync(http, url, group, bound.Token) is { } leader)
                    {
                        return leader;
                    }
                }

                await Task.Delay(Poll, bound.Token);
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<Leader?> TryReadAsync(HttpClient http, string url, string group, CancellationToken cancellationToken)
    {
        try
        {
            using var report = await http.GetFromJsonAsync<JsonDocument>(new Uri(new Uri(url), "status.json"), cancellationToken);
            if (report is null)
            {
                return null;
            }

            foreach (var g in report.RootElement.GetProperty("groups").EnumerateArray())
            {
                if (g.GetProperty("id").GetString() != group)
                {
                    continue;
                }

                var leader = g.GetProperty("leader").GetUInt64();
                foreach (var m in g.GetProperty("members").EnumerateArray())
                {
                    if (leader != 0 && m.GetProperty("id").GetUInt64() == leader && m.GetProperty("role").GetString() == "leader")
                    {
                        return new Leader(leader, g.GetProperty("term").GetUInt64(), m.GetProperty("silo").GetString() ?? "?");
                    }
                }
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or InvalidOperationException or KeyNotFoundException
            || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The silo is not up yet, or the group is not there yet.
        }

        return null;
    }
}
